/**
 * Runs Playwright Test as a child process of the local @playwright/test, with our reporter and the run's
 * choices in the environment. The child gets its own process group: Ctrl-C reaches only us, and we pass
 * exactly one SIGINT on (Playwright then stops the scenario and runs fixture teardown); a second Ctrl-C
 * kills the whole group and the caller sweeps what is left.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface PlaywrightRun {
  /** Project names to run (the matrix cells). */
  readonly projects: readonly string[];
  /** File filters (regular expressions on spec paths). */
  readonly files: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Extra arguments (e.g. --grep). */
  readonly extraArgs?: readonly string[];
  /** Reporter module (default: cli/run/reporter.ts). */
  readonly reporter?: string;
  /** Aborting it stops the run as a first Ctrl-C does (the lab lease was lost, …). */
  readonly signal?: AbortSignal;
  /** Called with the runner's pid (its process group) once it is started. */
  readonly onStart?: (pid: number) => void;
}

export interface PlaywrightExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The user interrupted the run (SIGINT/SIGTERM to us). */
  readonly interrupted: boolean;
}

/** Path of the Playwright Test CLI that this package depends on. */
export function playwrightCli(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('@playwright/test/cli');
}

/** Run Playwright Test to completion. */
export function runPlaywright(run: PlaywrightRun): Promise<PlaywrightExit> {
  const args = [
    playwrightCli(),
    'test',
    '--config',
    join(REPO_ROOT, 'playwright.config.ts'),
    '--workers',
    '1',
    '--reporter',
    run.reporter ?? join(REPO_ROOT, 'cli', 'run', 'reporter.ts'),
    ...run.projects.map((p) => `--project=${p}`),
    ...(run.extraArgs ?? []),
    ...run.files,
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...run.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
    stdio: 'inherit',
    detached: true,
  });
  if (child.pid !== undefined) run.onStart?.(child.pid);
  let interrupted = false;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupted = true;
    signals++;
    if (child.pid === undefined) return;
    try {
      if (signals === 1) process.kill(child.pid, sig === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
      else process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of sigs) process.on(s, onSignal);
  const onAbort = (): void => onSignal('SIGINT');
  run.signal?.addEventListener('abort', onAbort, { once: true });
  const done = (): void => {
    for (const s of sigs) process.off(s, onSignal);
    run.signal?.removeEventListener('abort', onAbort);
  };
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      done();
      reject(err);
    });
    child.once('exit', (exitCode, signal) => {
      done();
      resolve({ exitCode, signal, interrupted });
    });
  });
}
