import { test, expect } from '@playwright/test';
import { formatCpuList, parseCpuList } from './cpu-list.ts';

test('CPU lists parse like the kernel writes them', () => {
  expect(parseCpuList('0-3,8,10-11')).toEqual([0, 1, 2, 3, 8, 10, 11]);
  expect(parseCpuList('5,1,1-2')).toEqual([1, 2, 5]);
  expect(parseCpuList('')).toEqual([]);
  expect(parseCpuList(' 7 ')).toEqual([7]);
});

test('bad CPU lists say what is wrong', () => {
  expect(() => parseCpuList('3-1')).toThrow('range "3-1" runs backwards (write 1-3)');
  expect(() => parseCpuList('1,,2')).toThrow('"" is not a CPU number or range');
  expect(() => parseCpuList('a')).toThrow('"a" is not a CPU number or range');
  expect(() => parseCpuList('0-5000')).toThrow('beyond');
});

test('format is the inverse of parse', () => {
  expect(formatCpuList([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8');
  expect(formatCpuList([])).toBe('');
  for (const s of ['0', '0-3,8,10-11', '1,3,5']) expect(formatCpuList(parseCpuList(s))).toBe(s);
});

test('one parser for inventories and tool output: a list is a set, spaces around entries are fine', () => {
  // drivers/host/cpu-list.ts (gone) kept order and duplicates ("3,1,1" -> [3,1,1]) and refused "2, 4": a node
  // whose isolcpus repeated a CPU then counted it twice when compared with the inventory's pinned CPUs.
  expect(parseCpuList('3,1,1')).toEqual([1, 3]);
  expect(parseCpuList('2-3, 8')).toEqual([2, 3, 8]);
  expect(parseCpuList('4-5\n')).toEqual([4, 5]);
});
