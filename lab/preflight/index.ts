/**
 * Preflight: `runPreflight(lab)` runs every registered check on every node. Built-in checks are
 * registered by the imports below; an area that adds checks registers them in its own module (with
 * registerCheck / registerChecks) and adds its import here.
 */
import './local-checks.ts';
import './host-checks.ts';
import '../../drivers/host/preflight-checks.ts';

export { runPreflight } from './run.ts';
export { registerCheck, registerChecks, registeredChecks, type CheckFactory } from './registry.ts';
export { pass, fail, skip, type CheckContext, type CheckOutcome, type CheckResult, type CheckStatus, type PreflightCheck } from './check.ts';
