/**
 * The run's settings: what `wirespeed run` decided (lab, run directory, quick, frame sizes), handed to the
 * Playwright processes through the environment (contract/env.ts). One parser for both sides: the CLI checks
 * the user's flags with it before it starts anything, and each Playwright process parses its environment
 * once (`runSettings()`), so spec module scope and worker fixtures see the same object.
 */
import { basename, dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { IMIX_7_4_1, type TrafficProfile } from '../method/trial.ts';
import { ENV } from './env.ts';

export const DEFAULT_LAB = 'lab/local.yaml';

export interface RunSettings {
  readonly labPath: string;
  /** The run directory: records.jsonl, report.html, run-summary.json. */
  readonly outDir: string;
  /** The run id: the run directory's name (reports/store keys runs by directory). */
  readonly runId: string;
  readonly quick: boolean;
  readonly frameSizes: readonly TrafficProfile[];
  /** Flows per direction of the throughput and latency scenarios (CSIT's l3fwd tests use 254). */
  readonly flows: number;
  /** Override of every trial duration (harness tests), else undefined. */
  readonly trialS: number | undefined;
  /** Each throughput search runs this many times, MRR takes this many trials (`--repeat N`, default 1). */
  readonly repeat: number;
}

/** What the CLI hands over; everything else follows from it. */
export interface RunInput {
  readonly labPath: string;
  readonly outDir: string;
  readonly quick: boolean;
  /** As the user wrote it ("64,1518,imix"); default by `quick`. */
  readonly frameSizes?: string;
  /** `--repeat N`: searches per scenario (default 1). */
  readonly repeat?: number;
  /** Flows per direction (default 1). */
  readonly flows?: number;
}

/** Most repeats a run may ask for: each one is a whole search. */
export const MAX_REPEAT = 100;

/** Check a repeat count; throws ConfigError naming where it came from. */
export function parseRepeat(text: string, where = '--repeat'): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_REPEAT) {
    throw new ConfigError(`repeat count "${text}" is not a whole number from 1 to ${MAX_REPEAT}`, {
      where,
      hint: 'e.g. --repeat 3: each throughput search runs 3 times and the report shows their median and spread',
    });
  }
  return n;
}

/** Parse "64,1518,imix" into profiles; throws ConfigError naming the bad entry and the flag. */
export function parseFrameSizes(text: string, where = '--frame-size'): TrafficProfile[] {
  return text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
    .map((s) => {
      if (s === 'imix') return IMIX_7_4_1;
      const n = Number(s.replace(/b$/, ''));
      if (!Number.isInteger(n) || n < 64 || n > 9018) {
        throw new ConfigError(`frame size "${s}" is not a number of bytes between 64 and 9018 or "imix"`, {
          where,
          hint: 'e.g. --frame-size 64,1518,imix (sizes include the 4-byte FCS)',
        });
      }
      return { kind: 'fixed', frameBytes: n } as const;
    });
}

/** Parse a flow count (flows per direction, 1..65536); throws ConfigError naming `where`. */
export function parseFlows(text: string, where = '--flows'): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65536) {
    throw new ConfigError(`flows "${text}" is not a whole number between 1 and 65536`, {
      where,
      hint: "flows per direction, e.g. --flows 254 (CSIT's l3fwd tests use 254)",
    });
  }
  return n;
}

/** Most DUT cores a cell may ask for (a 2-socket server's cores per NUMA node, with room). */
export const MAX_DUT_CORES = 64;

/**
 * Parse DUT core counts ("1,2,4"): each a matrix cell of its own, l3fwd polling that many lcores, one per
 * physical core, with as many RSS queues per port (CSIT's 1t1c/2t2c/4t4c). Sorted, without repeats.
 */
export function parseDutCores(text: string, where = '--dut-cores'): number[] {
  const counts = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/c$/, ''));
      if (!Number.isInteger(n) || n < 1 || n > MAX_DUT_CORES) {
        throw new ConfigError(`DUT cores "${s}" is not a whole number from 1 to ${MAX_DUT_CORES}`, {
          where,
          hint: 'e.g. --dut-cores 1,2,4: one cell per count, l3fwd on that many cores with as many RSS queues per port',
        });
      }
      return n;
    });
  if (counts.length === 0) throw new ConfigError('no DUT core count given', { where, hint: 'e.g. --dut-cores 1,2,4' });
  return [...new Set(counts)].sort((a, b) => a - b);
}

/** The environment entries that carry `input` to the Playwright processes (checked first: bad input fails here). */
export function settingsEnv(input: RunInput): Record<string, string> {
  if (input.frameSizes !== undefined) parseFrameSizes(input.frameSizes);
  if (input.repeat !== undefined) parseRepeat(String(input.repeat));
  if (input.flows !== undefined) parseFlows(String(input.flows));
  return {
    [ENV.lab]: resolve(input.labPath),
    [ENV.out]: resolve(input.outDir),
    [ENV.quick]: input.quick ? '1' : '0',
    ...(input.frameSizes === undefined ? {} : { [ENV.frameSizes]: input.frameSizes }),
    ...(input.repeat === undefined ? {} : { [ENV.repeat]: String(input.repeat) }),
    ...(input.flows === undefined ? {} : { [ENV.flows]: String(input.flows) }),
  };
}

/** Settings from an environment, with the defaults of a plain `npx playwright test suites/`. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): RunSettings {
  const outDir = resolve(env[ENV.out] ?? 'results/adhoc');
  const quick = env[ENV.quick] === '1';
  const trialText = env[ENV.trialS];
  const trialS = trialText === undefined || trialText === '' ? undefined : Number(trialText);
  if (trialS !== undefined && !(trialS > 0)) {
    throw new ConfigError(`${ENV.trialS}=${trialText} must be a positive number of seconds`, { where: 'environment', hint: `unset ${ENV.trialS} or give e.g. 0.5` });
  }
  return {
    labPath: resolve(env[ENV.lab] ?? DEFAULT_LAB),
    outDir,
    runId: basename(outDir),
    quick,
    frameSizes: parseFrameSizes(env[ENV.frameSizes] ?? (quick ? '64,1518' : '64,1518,imix'), ENV.frameSizes),
    flows: env[ENV.flows] === undefined || env[ENV.flows] === '' ? 1 : parseFlows(env[ENV.flows]!, ENV.flows),
    trialS,
    repeat: env[ENV.repeat] === undefined || env[ENV.repeat] === '' ? 1 : parseRepeat(env[ENV.repeat]!, ENV.repeat),
  };
}

let parsed: RunSettings | undefined;

/** This process's settings, parsed from its environment once. */
export function runSettings(): RunSettings {
  parsed ??= settingsFromEnv(process.env);
  return parsed;
}

/** Parent of the run directory, as reports/store's openRunStore wants it. */
export function resultsDirOf(s: RunSettings): string {
  return dirname(s.outDir);
}
