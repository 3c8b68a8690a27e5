/** Run every applicable preflight check on every node (nodes in parallel, checks in order per node). */
import { TimeoutError, WirespeedError } from '../../core/errors.ts';
import type { Lab, LabNode } from '../model.ts';
import type { CheckOutcome, CheckResult, PreflightCheck } from './check.ts';
import { checksFor } from './registry.ts';

const DEFAULT_TIMEOUT_MS = 30_000;

/** Results of all checks, grouped by node in inventory order. */
export async function runPreflight(lab: Lab): Promise<CheckResult[]> {
  const perNode = await Promise.all(lab.nodes.map((node) => runNode(lab, node)));
  return perNode.flat();
}

async function runNode(lab: Lab, node: LabNode): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const hostNodes = lab.nodes.filter((n) => n.host === node.host);
  let gateFailed: string | undefined;
  for (const check of checksFor(node, lab)) {
    const applies = check.appliesTo(node, lab);
    if (applies === false) continue;
    let outcome: CheckOutcome;
    if (typeof applies === 'string') outcome = { status: 'skip', detail: applies };
    else if (gateFailed) outcome = { status: 'skip', detail: `not run: ${gateFailed} failed` };
    else outcome = await runOne(check, lab, node, hostNodes);
    if (check.gate && outcome.status === 'fail') gateFailed = check.name;
    results.push({ node: node.name, name: check.name, ...outcome });
  }
  return results;
}

async function runOne(check: PreflightCheck, lab: Lab, node: LabNode, hostNodes: LabNode[]): Promise<CheckOutcome> {
  const timeoutMs = check.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    const shell = await node.shell();
    return await Promise.race([
      check.run({ lab, node, shell, hostNodes }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(`check ${check.name} on ${node.name}`, timeoutMs)), timeoutMs);
      }),
    ]);
  } catch (e) {
    // A check that throws has failed; its error says why (first lines, with the hint).
    const text = e instanceof WirespeedError ? e.message : e instanceof Error ? e.message : String(e);
    return { status: 'fail', detail: text.split('\n').slice(0, 6).join(' | ') };
  } finally {
    clearTimeout(timer);
  }
}
