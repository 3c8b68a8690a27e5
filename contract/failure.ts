/**
 * How a failure's severity travels from the Playwright worker to the CLI. The worker knows the thrown
 * object and the severity its class declares (core/errors.ts); it prints a `failure` progress event, and
 * the reporter turns the severities of a run into its exit code. Nothing reads severity from error text.
 */
import { recentErrors, WirespeedError } from '../core/errors.ts';
import type { FailureEvent } from './progress-events.ts';

/** The failure event for a thrown value: a wirespeed error's declared severity; anything else is a harness bug. */
export function failureOf(err: unknown): FailureEvent {
  if (err instanceof WirespeedError) return { type: 'failure', severity: err.severity, errorClass: err.name };
  const errorClass = err instanceof Error ? err.name : typeof err;
  return { type: 'failure', severity: 'internal', errorClass };
}

/**
 * The failure event for an error Playwright recorded against a test, of which fixtures get only the
 * serialized form (`<name>: <message>`): the wirespeed error made in this process that it is, if any.
 * Undefined for errors that are not ours (a failed expect(), a TypeError): the reporter tells those apart
 * by the failed expect step.
 */
export function declaredFailure(serializedMessage: string | undefined): FailureEvent | undefined {
  if (serializedMessage === undefined) return undefined;
  const errors = recentErrors();
  for (let i = errors.length - 1; i >= 0; i--) {
    const e = errors[i]!;
    if (`${e.name}: ${e.message}` === serializedMessage) return failureOf(e);
  }
  return undefined;
}
