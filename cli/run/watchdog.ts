/**
 * The CLI's side of the run watchdog. Node cannot ask the kernel to signal its children when it dies
 * (PR_SET_PDEATHSIG), and the Playwright runner has its own process group (so that Ctrl-C reaches the
 * CLI alone), so a CLI killed with SIGKILL (a CI job timeout) used to leave the runner, its workers and
 * their DUTs and generators running. The watchdog is a small process in its own session that holds the
 * read end of a pipe from the CLI: the kernel closes the pipe when the CLI dies, however it dies, and
 * the watchdog then kills the runner's process group, sweeps the run on every host, gives back the
 * lab's leases and closes the run's records (cli/run/watchdog-main.ts). A CLI that ends normally says
 * "done" first, and the watchdog just exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './playwright.ts';

/** What the watchdog needs to know about the run (JSON in its argv). */
export interface WatchdogArgs {
  readonly runId: string;
  readonly runDir: string;
  /** The lab inventory (absolute), to reach its hosts and leases. */
  readonly lab: string;
  /** pid and host of the CLI: the leases it holds carry them. */
  readonly cliPid: number;
  readonly cliHost: string;
  /** NAME=value every process of the run inherits from the Playwright runner. */
  readonly envMark: string;
}

export interface Watchdog extends AsyncDisposable {
  readonly pid: number | undefined;
  /** Tell it the process group of the Playwright runner (the runner's pid). */
  playwrightStarted(pid: number): void;
  /** The run ended normally: the watchdog exits without touching anything. Idempotent. */
  done(): Promise<void>;
}

/** Start the watchdog of a run; `envMark` is removed from its own environment so it never sweeps itself. */
export function startWatchdog(args: WatchdogArgs): Watchdog {
  const [markName] = args.envMark.split('=');
  const env = { ...process.env };
  if (markName) delete env[markName];
  const child: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, 'cli', 'run', 'watchdog.js'), JSON.stringify(args)], {
    cwd: REPO_ROOT,
    env,
    stdio: ['pipe', 'ignore', 'inherit'],
    detached: true,
  });
  child.on('error', () => {}); // a watchdog that cannot start leaves the run as it was before it existed
  child.stdin?.on('error', () => {});
  const send = (line: string): void => {
    if (child.stdin && !child.stdin.destroyed) child.stdin.write(`${line}\n`);
  };
  let finished: Promise<void> | undefined;
  const done = (): Promise<void> =>
    (finished ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(resolve, 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      send('done');
      child.stdin?.end();
    }));
  return {
    pid: child.pid,
    playwrightStarted: (pid) => send(`pg ${pid}`),
    done,
    [Symbol.asyncDispose]: done,
  };
}
