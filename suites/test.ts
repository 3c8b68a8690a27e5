/**
 * The scenario test object: `import { test, expect } from './test.ts'` in every suite. Expensive things are
 * per worker (one worker runs one matrix project: one datapath stack, one generator session, since memif
 * crashes a peer that outlives its partner); cheap things per test (recorder, failure attachments).
 * Teardown is Playwright's fixture teardown (also after a failure or a timeout), backed by the process
 * guard inside the worker and the CLI's sweep by run prefix.
 */
import { test as base, expect, type TestInfo } from '@playwright/test';
import type { DatapathKind, DutKind, GeneratorKind } from '../lab/schema.ts';
import { loadLab } from '../lab/load.ts';
import type { Lab } from '../lab/model.ts';
import { labFacts, type LabFacts } from '../drivers/datapath/stack/lab-facts.ts';
import { capabilityName, missingCapability, scenarioRequirements, type Capability } from '../drivers/datapath/stack/requirements.ts';
import { stackFor } from '../drivers/datapath/stack/stack-for.ts';
import type { RunningStack } from '../drivers/datapath/stack/stack.ts';
import { createDpdkRuntime } from '../drivers/dpdk/runtime.ts';
import { localShell } from '../drivers/shell/local.ts';
import { nodeShells, type NodeShells } from '../drivers/shell/node-shells.ts';
import { profileTag, type Direction, type TrafficProfile } from '../method/trial.ts';
import { openRunStore, type RecordStore } from '../reports/store/jsonl.ts';
import { sinksFor } from '../reports/influx/from-env.ts';
import { dutCoresPart, formatScenarioId } from '../reports/schema/scenario-id.ts';
import { CommandLog, loggingShell } from './fixtures/command-log.ts';
import { acquireKubeSession } from './fixtures/kube-session.ts';
import { ResultRecorder } from './fixtures/recorder.ts';
import { recordTester } from './fixtures/tester-record.ts';
import { declaredFailure, failureOf } from '../contract/failure.ts';
import { encodeEvent } from '../contract/progress-events.ts';
import { resultsDirOf, runSettings, type RunSettings } from '../contract/settings.ts';
import type { DpdkRuntime } from '../drivers/dpdk/runtime.ts';
import type { Shell } from '../drivers/shell/shell.ts';

/** Matrix options: one Playwright project per datapath × DUT × generator × NIC × DUT cores (playwright.config.ts). */
export interface MatrixOptions {
  datapath: DatapathKind;
  dut: DutKind;
  generator: GeneratorKind;
  nic: string;
  /** DUT polling cores, one per physical core, with as many RSS queues per port (ids: `…-64b-2t2c-ndrpdr`). */
  dutCores: number;
}

/** The loaded lab and the facts gates and scenario ids look at. */
export interface SuiteLab {
  readonly lab: Lab;
  readonly facts: LabFacts;
  /** The nodes' shells, opened on first use, closed with the worker. */
  readonly shells: NodeShells;
}

/** What a scenario needs; unmet needs skip it with the reason (test.use({ requires: [...] })). */
export interface TestOptions {
  requires: Capability[];
}

/** A worker's stack: running, or why it cannot run on this lab (the skip reason). */
type StackState = { readonly running: RunningStack } | { readonly unavailable: string };

interface WorkerFixtures extends MatrixOptions {
  settings: RunSettings;
  lab: SuiteLab;
  commandLog: CommandLog;
  shell: Shell;
  store: RecordStore;
  /** The run's DPDK runtime (file prefixes, runtime dir), shared by DUT and generator; cleaned up last. */
  runtime: DpdkRuntime;
  stackState: StackState;
  /** The stack once it is up (for failure attachments that must not bring it up themselves). */
  liveStack: { current: RunningStack | undefined };
}

export interface ScenarioSpec {
  /** Suite name: throughput, latency, failover, soak, smoke. */
  readonly suite: string;
  /** Test part of the id: ndrpdr, mrr, latency, failover-dut-restart, soak, smoke. */
  readonly test: string;
  readonly profile: TrafficProfile;
  readonly flows?: number;
  readonly direction?: Direction;
}

interface TestFixtures extends TestOptions {
  /** Auto: tells the CLI the severity the failing error declared (its exit code follows from it). */
  failureSeverity: void;
  /** Auto: skips the test, with the reason, when the lab lacks what it needs. */
  gate: void;
  /** The worker's running stack (datapath, DUT, generator session, max load, capabilities). */
  stack: RunningStack;
  /** Open the recorder of a scenario (its id follows from the matrix and the spec). */
  scenario: (spec: ScenarioSpec) => ResultRecorder;
  /** Auto: on failure, attach the last commands with their output and the DUT's log. */
  failureArtifacts: void;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  datapath: ['memif', { option: true, scope: 'worker' }],
  dut: ['l3fwd', { option: true, scope: 'worker' }],
  generator: ['wsp-gen', { option: true, scope: 'worker' }],
  nic: ['virtual', { option: true, scope: 'worker' }],
  dutCores: [1, { option: true, scope: 'worker' }],
  requires: [[], { option: true }],

  // Declared first, so it is set up before and torn down after every other fixture of the test.
  failureSeverity: [
    async ({}, use, testInfo) => {
      await use();
      if (testInfo.status !== 'failed' && testInfo.status !== 'timedOut') return;
      const declared = declaredFailure(testInfo.errors[0]?.message);
      if (declared) process.stdout.write(encodeEvent(declared));
    },
    { auto: true },
  ],

  settings: [async ({}, use) => use(runSettings()), { scope: 'worker' }],
  lab: [
    async ({ settings }, use) => {
      const lab = await loadLab(settings.labPath);
      const shells = nodeShells(lab);
      try {
        await use({ lab, facts: labFacts(lab), shells });
      } finally {
        await reportingFailure(() => shells.close());
      }
    },
    { scope: 'worker' },
  ],
  commandLog: [async ({}, use) => use(new CommandLog()), { scope: 'worker' }],
  shell: [
    async ({ commandLog }, use) => {
      const shell = loggingShell(localShell(), commandLog);
      await use(shell);
      await reportingFailure(() => shell.close());
    },
    { scope: 'worker' },
  ],
  store: [
    async ({ settings }, use) => {
      // Records also go to InfluxDB/VictoriaMetrics when WIRESPEED_INFLUX_* configures it (never failing the run).
      const store = await openRunStore(settings.runId, { resultsDir: resultsDirOf(settings), sinks: sinksFor(settings.outDir) });
      try {
        await use(store);
      } finally {
        await reportingFailure(() => store.close());
      }
    },
    { scope: 'worker' },
  ],
  liveStack: [async ({}, use) => use({ current: undefined }), { scope: 'worker' }],
  runtime: [
    async ({ shell, settings }, use) => {
      const runtime = createDpdkRuntime({ shell, runId: settings.runId, runDir: settings.outDir });
      await runtime.prepare();
      try {
        await use(runtime);
      } finally {
        await reportingFailure(() => runtime.cleanup());
      }
    },
    { scope: 'worker' },
  ],
  stackState: [
    async ({ lab, settings, datapath, dut, generator, dutCores, shell, liveStack, runtime, store }, use) => {
      const gate = missingCapability(lab.facts, scenarioRequirements(datapath));
      if (gate !== null) {
        await use({ unavailable: gate });
        return;
      }
      // On a Kubernetes lab the stack's pods live in the worker's cluster session (shared with suites/kubernetes/).
      const cluster = lab.lab.kind === 'kubernetes' ? { cluster: () => acquireKubeSession(lab, settings) } : {};
      const stack = stackFor({ lab: lab.lab, shells: lab.shells, datapath, dut, generator, dutCores, flows: settings.flows, runId: settings.runId, runDir: settings.outDir, shell, runtime, ...cluster });
      const why = await stack.availability();
      if (why !== null) {
        await use({ unavailable: why.reason });
        return;
      }
      const running = await stack.up();
      liveStack.current = running;
      try {
        // The tester in this run's records before any figure: self-test ceiling, latency bias, loop stalls.
        await recordTester(store, running, settings.outDir, settings.frameSizes);
        await use({ running });
      } finally {
        liveStack.current = undefined;
        await reportingFailure(() => running.release());
      }
    },
    { scope: 'worker', timeout: 300_000 },
  ],
  gate: [
    async ({ lab, datapath, requires }, use, testInfo) => {
      const caps = scenarioRequirements(datapath, requires);
      const reason = missingCapability(lab.facts, caps);
      if (reason !== null) {
        // The skip record names the capability the lab lacks (cli/run/run-end-records.ts reads it).
        const unmet = caps.find((c) => missingCapability(lab.facts, [c]) !== null);
        if (unmet) testInfo.annotations.push({ type: 'capability', description: capabilityName(unmet) });
      }
      testInfo.skip(reason !== null, reason ?? '');
      await use();
    },
    { auto: true },
  ],
  stack: async ({ stackState }, use, testInfo) => {
    if ('unavailable' in stackState) testInfo.skip(true, stackState.unavailable);
    else await use(stackState.running);
  },
  scenario: async ({ lab, datapath, dut, generator, nic, dutCores, store, stackState }, use, testInfo) => {
    const opened: ResultRecorder[] = [];
    const tc = dutCoresPart(dutCores);
    const threadsCores = tc === undefined ? {} : { threadsCores: tc };
    await use((spec) => {
      const ports = 'running' in stackState ? stackState.running.running.generatorPorts.length : 2;
      const id = formatScenarioId({
        nodes: lab.facts.nodeCount,
        nic: nic === 'virtual' ? lab.facts.nicTag : nic,
        ports,
        datapath,
        dut,
        frame: profileTag(spec.profile),
        ...threadsCores,
        test: spec.test,
      });
      testInfo.annotations.push({ type: 'scenario', description: id });
      const dutInfo =
        'running' in stackState
          ? { kind: stackState.running.running.dut.kind, version: stackState.running.running.dut.version }
          : { kind: dut, version: 'unknown' };
      const generatorInfo =
        'running' in stackState
          ? { kind: stackState.running.generatorKind, version: stackState.running.generator.info.version }
          : { kind: generator, version: 'unknown' };
      const rec = new ResultRecorder(store, {
        scenarioId: id,
        suite: spec.suite,
        frame: profileTag(spec.profile),
        datapath,
        dut: dutInfo,
        generator: generatorInfo,
        nic,
        ports,
        profile: spec.profile,
        flows: spec.flows ?? 1,
        direction: spec.direction ?? 'bidirectional',
      });
      opened.push(rec);
      return rec;
    });
    // A scenario that failed before writing its result still gets one, saying why.
    for (const rec of opened) {
      if (rec.hasResult) continue;
      const failed = testInfo.status !== 'passed' && testInfo.status !== 'skipped';
      // A skip says why in its annotation (a capability the stack or its generator lacks).
      const skipped = testInfo.status === 'skipped' ? testInfo.annotations.findLast((a) => a.type === 'skip')?.description : undefined;
      const reason = firstErrorLine(testInfo) ?? skipped ?? (failed ? `test ${testInfo.status}` : 'the scenario wrote no result');
      await rec.result({ goals: [], status: failed ? 'failed' : 'skipped', reason }).catch(() => {});
    }
  },
  failureArtifacts: [
    async ({ commandLog, liveStack }, use, testInfo) => {
      await use();
      if (testInfo.status === testInfo.expectedStatus) return;
      await testInfo.attach('commands.txt', { body: commandLog.format(), contentType: 'text/plain' });
      const running = liveStack.current;
      if (running) await testInfo.attach('dut.log', { body: running.running.dutLog() || '(the DUT printed nothing)', contentType: 'text/plain' });
    },
    { auto: true },
  ],
});

/**
 * A worker fixture's teardown: no test carries its failure, so the severity its error declared is printed
 * for the CLI's exit code before Playwright reports the error itself.
 */
export async function reportingFailure(teardown: () => Promise<unknown>): Promise<void> {
  try {
    await teardown();
  } catch (err) {
    process.stdout.write(encodeEvent(failureOf(err)));
    throw err;
  }
}

function firstErrorLine(testInfo: TestInfo): string | undefined {
  const msg = testInfo.errors[0]?.message;
  return msg === undefined ? undefined : msg.replace(/\x1b\[[0-9;]*m/g, '').split('\n')[0];
}

export { expect };
