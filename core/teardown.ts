/**
 * One teardown for everything that is set up step by step (STYLE: "one mechanism, one piece of code"):
 * a local datapath's sockets, namespaces and processes, a bare-metal node's VFs, bindings and hugepages,
 * the DUT and vswitch started on it. Each step is recorded with its undo as it is done; `run()` undoes them
 * newest first, runs EVERY undo even when earlier ones fail, and reports all failures in one error, so
 * nothing is left behind silently because something else failed first.
 */
import { ProvisionError, type ErrorContext } from './errors.ts';

/** What one undo step that failed left behind. */
export interface TeardownFailure {
  readonly what: string;
  readonly error: unknown;
}

/** A teardown that left work undone: every failed step, in the order they ran. */
export class TeardownError extends ProvisionError {
  readonly failures: readonly TeardownFailure[];
  constructor(failures: readonly TeardownFailure[], ctx: ErrorContext) {
    const lines = failures.map((f) => `${f.what}: ${messageOf(f.error)}`);
    super(`teardown left ${failures.length === 1 ? 'one step' : `${failures.length} steps`} undone:\n  ${lines.join('\n  ')}`, ctx);
    this.failures = failures;
  }
}

/** A recorded step; `discard()` drops it without running it (its change was undone another way). */
export interface TeardownStep {
  discard(): void;
}

interface Step {
  readonly what: string;
  readonly undo: () => Promise<unknown>;
}

export class Teardown {
  readonly #ctx: ErrorContext;
  #steps: Step[] = [];
  #running: Promise<void> | undefined;
  #last: Promise<void> = Promise.resolve();

  /** `where` and `hint` go into the error when a step fails (what to check or clean by hand). */
  constructor(where: string, hint?: string) {
    this.#ctx = { where, ...(hint === undefined ? {} : { hint }) };
  }

  /** Record how to undo something just done (or about to be: record first, then apply). */
  add(what: string, undo: () => Promise<unknown>): TeardownStep {
    const step: Step = { what, undo };
    this.#steps.push(step);
    return {
      discard: () => {
        this.#steps = this.#steps.filter((s) => s !== step);
      },
    };
  }

  /** What would be undone, oldest first (for logs and failure reports). */
  pending(): string[] {
    return this.#steps.map((s) => s.what);
  }

  /**
   * Undo every recorded step, newest first, each once; throws one TeardownError listing every step that
   * failed. A call while a run is going waits for it; a call with nothing new to undo gets the last run's
   * outcome (so a second `down()` reports what the first did); steps added later run on the next call.
   */
  run(): Promise<void> {
    if (this.#running) return this.#running;
    if (this.#steps.length === 0) return this.#last;
    const steps = this.#steps.reverse();
    this.#steps = [];
    const run = (async () => {
      const failures: TeardownFailure[] = [];
      for (const step of steps) {
        try {
          await step.undo();
        } catch (error) {
          failures.push({ what: step.what, error });
        }
      }
      if (failures.length > 0) throw new TeardownError(failures, this.#ctx);
    })();
    this.#running = run;
    this.#last = run;
    run.then(
      () => (this.#running = undefined),
      () => (this.#running = undefined),
    );
    return run;
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message.split('\n').join('\n    ') : String(e);
}
