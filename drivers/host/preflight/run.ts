/** Run every applicable preflight check on every node (nodes in parallel, checks in order per node). */
import { TimeoutError, WirespeedError } from '../../../core/errors.ts';
import type { Lab, LabNode } from '../../../lab/model.ts';
import type { Shell } from '../../shell/shell.ts';
import { DEFAULT_HOST_PATHS, type HostPaths } from '../host-paths.ts';
import type { CheckContext, CheckOutcome, CheckResult, CheckSource, LabCheck, LabCheckSource, PreflightCheck } from './check.ts';
import { LAB_CHECKS, PREFLIGHT_CHECKS } from './checks.ts';

const DEFAULT_TIMEOUT_MS = 30_000;

/** The hint of a check that threw an error carrying none: every failure says what to do. */
export const THROWN_HINT = 'the check could not finish: fix what the detail names (or run the command it names on the node by hand), then check again';

/** Opens (or returns the open) shell of a node. */
export type ShellOf = (node: LabNode) => Promise<Shell>;

/** Results of all checks, grouped by node in inventory order; `checks` defaults to the list of checks.ts. */
export async function runPreflight(lab: Lab, shells: ShellOf, checks: readonly CheckSource[] = PREFLIGHT_CHECKS, paths: HostPaths = DEFAULT_HOST_PATHS): Promise<CheckResult[]> {
  const names = checks.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new Error(`preflight check ${twice} is listed twice`);
  const perNode = await Promise.all(lab.nodes.map((node) => runNode(lab, node, shells, checks, paths)));
  return perNode.flat();
}

/** Results of the checks of the lab as a whole (node: null), gates first, then list order. */
export async function runLabChecks(lab: Lab, checks: readonly LabCheckSource[] = LAB_CHECKS): Promise<CheckResult[]> {
  const all = checks.flatMap((c) => ('checksFor' in c ? c.checksFor(lab) : [c]));
  const results: CheckResult[] = [];
  let gateFailed: string | undefined;
  for (const check of [...all.filter((c) => c.gate), ...all.filter((c) => !c.gate)]) {
    const applies = check.appliesTo(lab);
    if (applies === false) continue;
    let outcome: CheckOutcome;
    if (typeof applies === 'string') outcome = { status: 'skip', detail: applies };
    else if (gateFailed) outcome = { status: 'skip', detail: `not run: ${gateFailed} failed` };
    else outcome = await bounded(check, `check ${check.name} of lab ${lab.name}`, () => check.inspect(lab));
    if (check.gate && outcome.status === 'fail') gateFailed = check.name;
    results.push({ node: null, name: check.name, ...outcome });
  }
  return results;
}

/** The checks for one node: gates first, then list order. */
export function checksFor(node: LabNode, lab: Lab, checks: readonly CheckSource[]): PreflightCheck[] {
  const all = checks.flatMap((c) => ('checksFor' in c ? c.checksFor(node, lab) : [c]));
  return [...all.filter((c) => c.gate), ...all.filter((c) => !c.gate)];
}

async function runNode(lab: Lab, node: LabNode, shells: ShellOf, checks: readonly CheckSource[], paths: HostPaths): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const hostNodes = lab.nodes.filter((n) => n.host === node.host);
  let gateFailed: string | undefined;
  for (const check of checksFor(node, lab, checks)) {
    const applies = check.appliesTo(node, lab);
    if (applies === false) continue;
    let outcome: CheckOutcome;
    if (typeof applies === 'string') outcome = { status: 'skip', detail: applies };
    else if (gateFailed) outcome = { status: 'skip', detail: `not run: ${gateFailed} failed` };
    else outcome = await runOne(check, { lab, node, hostNodes, paths }, shells);
    if (check.gate && outcome.status === 'fail') gateFailed = check.name;
    results.push({ node: node.name, name: check.name, ...outcome });
  }
  return results;
}

function runOne(check: PreflightCheck, ctx: Omit<CheckContext, 'shell'>, shells: ShellOf): Promise<CheckOutcome> {
  const { node } = ctx;
  return bounded(check, `check ${check.name} on ${node.name}`, () => ('inspect' in check ? check.inspect(ctx) : shells(node).then((shell) => check.run({ ...ctx, shell }))));
}

/** A check's outcome within its time; whatever it throws is its failure (what, where, and the hint). */
async function bounded(check: Pick<LabCheck, 'timeoutMs'>, what: string, run: () => Promise<CheckOutcome>): Promise<CheckOutcome> {
  const timeoutMs = check.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(what, timeoutMs)), timeoutMs);
      }),
    ]);
  } catch (e) {
    // A check that throws has failed; its error says why (first lines) and what to do (its own hint if it has one).
    const firstLines = (text: string): string => text.split('\n').slice(0, 6).join(' | ');
    if (e instanceof WirespeedError) {
      const where = e.where === undefined ? '' : `${e.where}: `;
      return { status: 'fail', detail: firstLines(`${where}${e.what}`), hint: e.hint === undefined ? THROWN_HINT : firstLines(e.hint) };
    }
    return { status: 'fail', detail: firstLines(e instanceof Error ? e.message : String(e)), hint: THROWN_HINT };
  } finally {
    clearTimeout(timer);
  }
}
