import { expect, test } from '@playwright/test';
import { ConfigError } from '../core/errors.ts';
import { ENV } from './env.ts';
import { parseDutCores, parseFlows, settingsEnv, settingsFromEnv } from './settings.ts';

test('--repeat travels from the CLI to the Playwright processes; absent means one search', () => {
  const env = settingsEnv({ labPath: 'lab/local.yaml', outDir: 'results/r1', quick: true, repeat: 3 });
  expect(env[ENV.repeat]).toBe('3');
  expect(settingsFromEnv(env).repeat).toBe(3);
  const once = settingsEnv({ labPath: 'lab/local.yaml', outDir: 'results/r1', quick: true });
  expect(once[ENV.repeat]).toBeUndefined();
  expect(settingsFromEnv(once).repeat).toBe(1);
});

test('a bad repeat count is a ConfigError that names the flag (CLI) or the variable (environment), before anything runs', () => {
  for (const bad of [0, 2.5, -1, 101, Number.NaN]) {
    const err = (() => {
      try {
        settingsEnv({ labPath: 'lab/local.yaml', outDir: 'results/r1', quick: true, repeat: bad });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err, `repeat ${bad}`).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).where).toBe('--repeat');
    expect((err as ConfigError).hint).toMatch(/--repeat 3/);
  }
  expect(() => settingsFromEnv({ [ENV.repeat]: 'three' })).toThrow(/repeat count "three" is not a whole number from 1 to 100/);
});

test('flows per direction come from WIRESPEED_FLOWS (default 1); a bad count names the variable', () => {
  expect(settingsFromEnv({}).flows).toBe(1);
  expect(settingsFromEnv({ [ENV.flows]: '254' }).flows).toBe(254);
  expect(parseFlows('65536')).toBe(65536);
  for (const bad of ['0', '1.5', 'many', '65537']) {
    const err = (() => {
      try {
        settingsFromEnv({ [ENV.flows]: bad });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err, bad).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`${ENV.flows}: flows "${bad}" is not a whole number between 1 and 65536\n  hint: flows per direction, e.g. --flows 254 (CSIT's l3fwd tests use 254)`);
  }
});

test('DUT core counts: sorted without repeats, "2c" read as 2; a bad count names the flag', () => {
  expect(parseDutCores('4,1,2,2')).toEqual([1, 2, 4]);
  expect(parseDutCores('1c, 2c')).toEqual([1, 2]);
  for (const bad of ['0', '1.5', 'two', '65']) {
    let caught: unknown;
    try {
      parseDutCores(bad);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).where).toBe('--dut-cores');
    expect((caught as ConfigError).message).toMatch(/is not a whole number from 1 to 64/);
  }
  expect(() => parseDutCores(' , ')).toThrow(/no DUT core count given/);
});
