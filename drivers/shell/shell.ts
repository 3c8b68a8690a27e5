/**
 * The one way wirespeed runs anything on a node: locally, over SSH, inside a network namespace,
 * or (issue 7) inside a pod. Commands are argv arrays; a shell script is only ever explicit.
 */

/** What to run: an argv array (quoted by `quote()` where a shell is involved), or an explicit script. */
export type Command = readonly string[] | { readonly script: string };

export interface ExecOptions {
  /** Kill the command (TERM, then KILL) after this long; the result then has timedOut=true. */
  timeoutMs?: number;
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  stdin?: string | Uint8Array;
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface SpawnOptions {
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** Bytes of combined stdout+stderr kept in the ring buffer (default 256 KiB). */
  ringBytes?: number;
  /** Called with each chunk of stdout as it arrives (e.g. a JSON-lines protocol). */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
}

export interface ProcessExit {
  exitCode: number | null;
  signal: string | null;
}

/** A long-running process. Disposing it kills it. */
export interface SpawnedProcess extends AsyncDisposable {
  /** Process id on the node where it runs (for ssh: the remote pid). */
  readonly pid: number;
  readonly command: string;
  /** Last bytes of combined output. */
  output(): string;
  /** Write to its stdin. */
  write(data: string | Uint8Array): Promise<void>;
  /** Close its stdin. */
  endInput(): void;
  /** Resolves when it exits. */
  wait(): Promise<ProcessExit>;
  /** Exited yet? null while running. */
  exited(): ProcessExit | null;
  /** TERM, then KILL after graceMs (default 3000); resolves when it is gone. */
  kill(graceMs?: number): Promise<ProcessExit>;
}

export interface Shell {
  /** Human name for errors: "local", "root@10.0.0.2:22", "netns wsp-gen on local". */
  readonly name: string;
  /** Run to completion. Never throws for a non-zero exit: see `run` for that. */
  exec(cmd: Command, opts?: ExecOptions): Promise<ExecResult>;
  /** Run to completion; throws CommandFailedError on a non-zero exit or timeout. */
  run(cmd: Command, opts?: ExecOptions): Promise<ExecResult>;
  spawn(cmd: Command, opts?: SpawnOptions): Promise<SpawnedProcess>;
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string | Uint8Array, mode?: number): Promise<void>;
  /** Release connections (ssh). Idempotent. */
  close(): Promise<void>;
}
