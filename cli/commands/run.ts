/** `wirespeed run`: run scenario suites on a lab under Playwright Test, with live progress and a report. */
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.ts';
import { runScenarios } from '../run/run-scenarios.ts';
import { DEFAULT_LAB, parseDutCores, parseFlows } from '../../contract/settings.ts';

interface RunArgs {
  lab: string;
  suite: string | undefined;
  datapath: string | undefined;
  dut: string | undefined;
  generator: string | undefined;
  'frame-size': string | undefined;
  flows: string | undefined;
  'dut-cores': string | undefined;
  quick: boolean;
  repeat: number | undefined;
  out: string | undefined;
  grep: string | undefined;
  'wait-for-lab': string;
}

/** "90", "90s", "10m", "2h" → seconds; a ConfigError naming the flag otherwise. */
export function parseWaitForLab(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(text);
  if (!m) {
    throw new ConfigError(`--wait-for-lab ${JSON.stringify(text)} is not a duration`, { where: '--wait-for-lab', hint: 'give seconds (600) or a number with s, m or h (90s, 10m, 2h); 0 does not wait' });
  }
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

const list = (s: string | undefined): string[] =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'run scenario suites (throughput, latency, failover, soak, smoke) on a lab',
  builder: (y) =>
    y
      .option('lab', { type: 'string', default: DEFAULT_LAB, describe: 'lab inventory file' })
      .option('suite', { type: 'string', describe: 'suites to run, comma-separated (default: all; with --quick: smoke,throughput,latency,failover)' })
      .option('datapath', { type: 'string', describe: "datapaths, comma-separated (default: the lab's)" })
      .option('dut', { type: 'string', describe: "DUT applications, comma-separated: l3fwd,testpmd-io,testpmd-macswap,vpp-l2xc,vpp-ip4base; vpp = both VPP kinds (default: the lab's duts, else l3fwd)" })
      .option('generator', { type: 'string', describe: "generators, comma-separated: wsp-gen,pktgen (default: the lab's generators; wsp-gen locally, pktgen on hardware)" })
      .option('frame-size', { type: 'string', describe: 'frame sizes with FCS, comma-separated: 64,1518,imix (default 64,1518,imix; --quick 64,1518)' })
      .option('flows', { type: 'string', describe: 'flows per direction of throughput and latency scenarios (default 1; CSIT uses 254)' })
      .option('dut-cores', { type: 'string', describe: 'DUT core counts, comma-separated: 1,2,4 (a cell each: l3fwd on N cores with N RSS queues per port; default 1)' })
      .option('quick', { type: 'boolean', default: false, describe: 'short trials and searches: the whole local matrix in minutes' })
      .option('repeat', { type: 'number', describe: 'run each throughput search N times (MRR: N trials); reports show median and spread, compare uses the repeats' })
      .option('out', { type: 'string', describe: 'run directory for records.jsonl and the report (default results/<run-id>)' })
      .option('grep', { type: 'string', describe: 'only scenarios whose title matches (e.g. @smoke, 64b)' })
      .option('wait-for-lab', {
        type: 'string',
        default: '0',
        describe: 'when another run holds the lab, wait this long for it (600, 90s, 10m, 2h) before exiting with code 3',
      }),
  handler: async (argv) => {
    process.exitCode = await runScenarios({
      lab: argv.lab,
      suites: list(argv.suite),
      datapaths: list(argv.datapath),
      duts: list(argv.dut),
      generators: list(argv.generator),
      ...(argv['frame-size'] === undefined ? {} : { frameSizes: argv['frame-size'] }),
      ...(argv.flows === undefined ? {} : { flows: parseFlows(argv.flows) }),
      ...(argv['dut-cores'] === undefined ? {} : { dutCores: parseDutCores(argv['dut-cores']) }),
      quick: argv.quick,
      ...(argv.repeat === undefined ? {} : { repeat: argv.repeat }),
      ...(argv.out === undefined ? {} : { out: argv.out }),
      ...(argv.grep === undefined ? {} : { grep: argv.grep }),
      waitForLabS: parseWaitForLab(argv['wait-for-lab']),
    });
  },
};
