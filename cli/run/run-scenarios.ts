/**
 * `wirespeed run`: load the lab, build the matrix, write the run-start record, run the suites under
 * Playwright Test with live progress, sweep leftovers, write run-end and the report, and return the exit
 * code (1 for a failed scenario, the severity's code for a harness or lab failure).
 */
import { nodeShells } from '../../drivers/shell/node-shells.ts';
import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { DATAPATHS, DUT_ALIASES, DUT_KINDS, expandDuts, GENERATOR_KINDS } from '../../lab/schema.ts';
import { loadLab } from '../../lab/load.ts';
import { labFacts } from '../../drivers/datapath/stack/lab-facts.ts';
import { reserveRunLab } from '../../drivers/lease/reserve-lab.ts';
import { localShell } from '../../drivers/shell/local.ts';
import { openRunStore, RECORDS_FILE } from '../../reports/store/jsonl.ts';
import { newRunId } from '../../reports/store/run-id.ts';
import { ENV } from '../../contract/env.ts';
import { matrixEnv, projectNames, type MatrixEntry } from '../../contract/matrix.ts';
import { readRunSummary } from '../../contract/run-summary.ts';
import { settingsEnv } from '../../contract/settings.ts';
import { collectEnvironment } from './environment.ts';
import { matrixFor } from './matrix.ts';
import { REPO_ROOT, runPlaywright } from './playwright.ts';
import { writeRunEnd } from './run-end-records.ts';
import { sweepRun } from './sweep.ts';
import { startWatchdog } from './watchdog.ts';
import { readSummaryText, writeReport } from './report.ts';
import { sinksFor } from '../../reports/influx/from-env.ts';

export interface RunOptions {
  readonly lab: string;
  readonly suites?: readonly string[];
  readonly datapaths?: readonly string[];
  /** DUT applications (default: the lab's `duts`, else l3fwd). */
  readonly duts?: readonly string[];
  /** Generators (default: the lab's `generators`, else wsp-gen locally and pktgen on hardware). */
  readonly generators?: readonly string[];
  readonly frameSizes?: string;
  /** Flows per direction of throughput and latency scenarios (default 1). */
  readonly flows?: number;
  /** DUT core counts, a matrix cell each (default [1]; `--dut-cores 1,2,4`). */
  readonly dutCores?: readonly number[];
  /** NIC models of the matrix (default: every NIC of the lab's DUT nodes). */
  readonly nics?: readonly string[];
  readonly quick: boolean;
  /** `--repeat N`: searches per throughput scenario. */
  readonly repeat?: number;
  readonly out?: string;
  readonly grep?: string;
  /** The command line recorded in run-start (default: the `wirespeed run` equivalent of these options). */
  readonly invocation?: string;
  /** How long to wait for a lab another run holds (default 0: exit 3 at once, naming the holder). */
  readonly waitForLabS?: number;
  /** Extra environment for the Playwright processes (tests of the harness shorten trials with it). */
  readonly env?: Readonly<Record<string, string>>;
  readonly print?: (line: string) => void;
}

/** Suites a quick run covers (`npm start`); a full run adds soak. */
export const QUICK_SUITES = ['smoke', 'throughput', 'latency', 'failover'] as const;

/**
 * Suites that run only when named (--suite, or certify): sriov-conformance recreates the NIC's VFs, which
 * must not happen under a datapath that a worker of the same run has up on them.
 */
export const EXPLICIT_SUITES: readonly string[] = ['sriov-conformance'];

/** Names of the suites present: suites/<name>.spec.ts and suites/<area>/<name>.spec.ts. */
export async function availableSuites(): Promise<string[]> {
  const dir = join(REPO_ROOT, 'suites');
  const names = new Set<string>();
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith('.spec.ts')) names.add(e.name.replace(/\.spec\.ts$/, ''));
    if (e.isDirectory() && e.name !== 'fixtures') {
      for (const f of await readdir(join(dir, e.name))) if (f.endsWith('.spec.ts')) names.add(f.replace(/\.spec\.ts$/, ''));
    }
  }
  return [...names].sort();
}

export async function runScenarios(opts: RunOptions): Promise<number> {
  const print = opts.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const known = await availableSuites();
  const suites = opts.suites && opts.suites.length > 0 ? [...opts.suites] : opts.quick ? [...QUICK_SUITES] : known.filter((k) => !EXPLICIT_SUITES.includes(k));
  for (const s of suites) {
    if (!known.includes(s)) throw new ConfigError(`unknown suite "${s}"`, { where: '--suite', hint: `known suites: ${known.join(', ')}` });
  }

  const labModel = await loadLab(opts.lab);
  const lab = { lab: labModel, facts: labFacts(labModel) };
  const datapaths = pick(opts.datapaths, labModel.datapaths, DATAPATHS, '--datapath', 'datapath');
  const duts = pick(opts.duts && expandDuts(opts.duts), labModel.duts, DUT_KINDS, '--dut', 'DUT');
  const generators = pick(opts.generators, labModel.generators, GENERATOR_KINDS, '--generator', 'generator');
  // --nic (certify): the cells of the NIC under test only.
  const matrix: MatrixEntry[] = matrixFor(lab.facts, datapaths, duts, generators, opts.dutCores ?? [1]).filter(
    (m) => !opts.nics || opts.nics.length === 0 || opts.nics.includes(m.nic),
  );
  if (matrix.length === 0 && opts.nics && opts.nics.length > 0) {
    throw new ConfigError(`lab ${lab.facts.name} has none of the NICs ${opts.nics.join(', ')} on its DUT nodes`, { where: '--nic', hint: `its NICs: ${lab.facts.nics.join(', ')}` });
  }

  const outDir = resolve(opts.out ?? join('results', newRunId()));
  // Checked (and bad flags refused) before anything is written or started.
  const settings = settingsEnv({
    labPath: opts.lab,
    outDir,
    quick: opts.quick,
    ...(opts.frameSizes === undefined ? {} : { frameSizes: opts.frameSizes }),
    ...(opts.repeat === undefined ? {} : { repeat: opts.repeat }),
    ...(opts.flows === undefined ? {} : { flows: opts.flows }),
  });
  const runId = basename(outDir);
  // From here on, a CLI that dies (SIGKILL from a CI timeout) takes its run with it: see cli/run/watchdog.ts.
  await using watchdog = startWatchdog({ runId, runDir: outDir, lab: resolve(opts.lab), cliPid: process.pid, cliHost: hostname(), envMark: `${ENV.out}=${outDir}` });
  // Hold the lab before anything runs on it (environment facts included): a second run waits or stops.
  // Released when this function returns or throws, after the sweep below.
  const lost = new AbortController();
  await using held = await reserveRunLab(await loadLab(opts.lab), {
    runId,
    runDir: outDir,
    waitForLabMs: (opts.waitForLabS ?? 0) * 1000,
    print,
    onLost: (why) => {
      print(`error: this run lost its hold on the lab (${why}); stopping it`);
      lost.abort();
    },
  });
  const store = await openRunStore(runId, {
    resultsDir: resolve(outDir, '..'),
    sinks: sinksFor(outDir, { onError: (m) => print(`warning: ${m}`) }),
  });
  const startedAt = new Date().toISOString();
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };
  // The environment is read over the nodes' shells, closed before the suites open their own.
  const environment = await (async () => {
    await using shells = nodeShells(lab.lab);
    return collectEnvironment(lab.lab, (node) => shells.of(node), pkg.version ?? '0.0.0');
  })();
  await store.write({
    kind: 'run-start',
    startedAt,
    environment,
    invocation:
      opts.invocation ??
      `wirespeed run --lab ${opts.lab} --suite ${suites.join(',')} --datapath ${datapaths.join(',')} --dut ${duts.join(',')} --generator ${generators.join(',')}${opts.frameSizes === undefined ? '' : ` --frame-size ${opts.frameSizes}`}${opts.flows === undefined ? '' : ` --flows ${opts.flows}`}${opts.dutCores === undefined ? '' : ` --dut-cores ${opts.dutCores.join(',')}`}${opts.quick ? ' --quick' : ''}${opts.repeat === undefined ? '' : ` --repeat ${opts.repeat}`}${opts.waitForLabS ? ` --wait-for-lab ${opts.waitForLabS}s` : ''}`,
    reservation: {
      leases: [...held.reservation.where],
      tookOver: held.takeovers.map((t) => ({
        where: t.where,
        runId: t.previous.runId,
        host: t.previous.host,
        pid: t.previous.pid,
        reason: t.reason,
        swept: [...t.swept],
        ...(t.sweepError === undefined ? {} : { sweepError: t.sweepError }),
      })),
    },
  });

  print(
    `wirespeed run ${runId}: lab ${lab.facts.name}, suites ${suites.join(', ')}, datapaths ${datapaths.join(', ')}, DUTs ${duts.join(', ')}, generators ${generators.join(', ')}${opts.quick ? ' (quick)' : ''}`,
  );
  print(`records: ${relative(process.cwd(), join(outDir, RECORDS_FILE)) || join(outDir, RECORDS_FILE)}`);

  const env: Record<string, string> = { ...settings, ...matrixEnv(matrix), ...(opts.env ?? {}) };
  const files = suites.map((s) => `suites/(.*/)?${s.replace(/[^a-z0-9-]/g, '')}\\.spec\\.ts$`);
  const exit = await runPlaywright({
    projects: projectNames(matrix),
    files,
    env,
    ...(opts.grep === undefined ? {} : { extraArgs: ['--grep', opts.grep] }),
    signal: lost.signal,
    onStart: (pid) => watchdog.playwrightStarted(pid),
  });

  const swept = await sweepRun(localShell(), runId, outDir);
  if (swept.killed.length + swept.namespaces.length + swept.files.length > 0) {
    print(
      `cleaned up what the run left: ${swept.killed.length} process(es), namespaces [${swept.namespaces.join(', ')}], ${swept.files.length} file(s)`,
    );
  }

  const summary = await readRunSummary(outDir);
  let code = summary?.exitCode ?? (exit.interrupted ? 130 : exit.exitCode === 0 ? 0 : 70);
  if (exit.interrupted && code === 0) code = 130;
  // Another run holds the lab now: whatever ran since is suspect, and that is a lab problem (exit 3).
  if (held.reservation.lost()) code = 3;
  const counts = summary?.counts ?? {};
  // Every skip is a record (with its reason), so every report counts the skips the run printed.
  const lostLab = held.reservation.lost();
  await writeRunEnd(store, summary, matrix, exit, lostLab === undefined ? {} : { error: `the run lost its hold on the lab: ${lostLab}` });
  await store.close();

  const report = await writeReport(outDir, pkg.version).catch((err: unknown) => {
    print(`report: not written (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    return undefined;
  });
  if (report) {
    const md = await readSummaryText(report.markdown);
    if (md) print(`\n${md.trim()}`);
  }
  print('');
  print(`run ${runId}: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ') || 'no scenarios ran'}; exit code ${code}`);
  print(`records: ${join(outDir, RECORDS_FILE)}`);
  if (report) {
    print(`summary: ${report.markdown}`);
    print(`junit:   ${report.junit}`);
    print(`report:  ${report.html}`);
  }
  return code;
}

/** The values a flag names (checked against the known ones), else the lab's. */
function pick<T extends string>(asked: readonly string[] | undefined, fromLab: readonly T[], known: readonly T[], flag: string, what: string): T[] {
  if (!asked || asked.length === 0) return [...fromLab];
  for (const a of asked) {
    if (!(known as readonly string[]).includes(a)) throw new ConfigError(`unknown ${what} "${a}"`, { where: flag, hint: `known: ${known.join(', ')}${flag === '--dut' ? `; ${Object.keys(DUT_ALIASES).map((k) => `${k} = ${DUT_ALIASES[k]!.join(',')}`).join('; ')}` : ''}` });
  }
  return [...new Set(asked)] as T[];
}
