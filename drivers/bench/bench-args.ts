/**
 * The benches' command-line values, checked the same way everywhere: a bad value is a ConfigError that
 * names the bench and the option and shows a valid example, before anything starts.
 */
import { ConfigError } from '../../core/errors.ts';
import { datapathKind, type DatapathKind } from '../../lab/schema.ts';

/** Checks the values of one bench's options (`where` is e.g. `bench:local`). */
export function benchArgs(where: string) {
  const bad = (option: string, what: string, hint: string): never => {
    throw new ConfigError(what, { where: `${where} --${option}`, hint });
  };
  const number = (option: string, text: string, o: { integer?: boolean; zero?: boolean; example?: string } = {}): number => {
    const v = Number(text);
    const ok = text.trim() !== '' && Number.isFinite(v) && (o.zero ? v >= 0 : v > 0) && (!o.integer || Number.isInteger(v));
    return ok ? v : bad(option, `${JSON.stringify(text)} is not a ${o.zero ? 'non-negative' : 'positive'} ${o.integer ? 'whole ' : ''}number`, `e.g. --${option} ${o.example ?? (o.integer ? 5 : 2)}`);
  };
  return {
    bad,
    /** A positive number (`zero: true` allows 0, e.g. a warm-up). */
    number,
    /** A comma-separated list of positive whole numbers (frame sizes, counts). */
    integers: (option: string, text: string, example = '64,1518'): number[] => split(text).map((t) => number(option, t, { integer: true, example })),
    /** A comma-separated list of names from `known`. */
    oneOf: <T extends string>(option: string, text: string, known: readonly T[]): T[] =>
      split(text).map((t) => known.find((k) => k === t) ?? bad(option, `unknown value ${JSON.stringify(t)}`, `known: ${known.join(', ')}`)),
    /** A comma-separated list of datapath kinds, limited to `allowed` when given. */
    datapaths: (option: string, text: string, allowed?: readonly DatapathKind[]): DatapathKind[] =>
      split(text).map((t) => {
        const parsed = datapathKind.safeParse(t);
        if (parsed.success && (!allowed || allowed.includes(parsed.data))) return parsed.data;
        return bad(option, `datapath ${JSON.stringify(t)} is not one this bench runs`, `use ${(allowed ?? datapathKind.options).join(', ')} (comma-separated)`);
      }),
  };
}

/**
 * The options of a bench process: a bad value prints what, where and the hint, and exits 2 (bad input)
 * before anything starts, instead of an uncaught stack trace.
 */
export function benchOptions<T>(where: string, parse: (check: ReturnType<typeof benchArgs>) => T): T {
  try {
    return parse(benchArgs(where));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(e.exitCode);
  }
}

function split(text: string): string[] {
  return text.split(',').map((t) => t.trim()).filter((t) => t !== '');
}
