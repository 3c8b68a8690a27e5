/**
 * The one pass across the fields of a schema-valid profile: criterion ids unique, no list names a thing
 * twice, criteria filter only on what the plan runs, each check fits the plan's kind and suites. Returns
 * issues with the exact field path; ./load.ts turns paths into file:line:col.
 */
import type { PathIssue } from '../../lab/validate.ts';
import { CONFORMANCE_TESTS, frameTag, type Criterion, type FrameSize, type Profile } from './schema.ts';

/** Datapaths that need a physical NIC: a virtual NIC cannot stand in with them. */
export const NIC_DATAPATHS: readonly string[] = ['pf', 'sriov', 'vdpa'];

const PERFORMANCE_CHECKS: readonly Criterion['check'][] = ['search-converged', 'throughput', 'latency-measured', 'latency', 'speedup'];
const CONFORMANCE_CHECKS: readonly Criterion['check'][] = ['conformance', 'failover'];

const show = (f: FrameSize): string => (f === 'imix' ? 'imix' : String(f));

export function validateProfile(p: Profile): PathIssue[] {
  const issues: PathIssue[] = [];
  const plan = p.plan;

  const duplicates = <T>(list: readonly T[], path: (string | number)[], what: string, fmt: (x: T) => string = String): void => {
    const seen = new Map<string, number>();
    list.forEach((x, i) => {
      const k = fmt(x);
      const first = seen.get(k);
      if (first !== undefined) issues.push({ path: [...path, i], message: `${what} ${k} is listed twice (also at [${first}])`, hint: 'list each once' });
      else seen.set(k, i);
    });
  };
  duplicates(plan.datapaths, ['plan', 'datapaths'], 'datapath');
  if (plan.virtualNic) {
    duplicates(plan.virtualNic.datapaths, ['plan', 'virtualNic', 'datapaths'], 'datapath');
    plan.virtualNic.datapaths.forEach((d, i) => {
      if (NIC_DATAPATHS.includes(d)) {
        issues.push({
          path: ['plan', 'virtualNic', 'datapaths', i],
          message: `datapath ${d} needs a physical NIC, so it cannot stand in on a virtual one`,
          hint: 'name software datapaths here (vhost-user, memif, veth): they show the flow on a lab without a NIC',
        });
      }
    });
  }
  const datapaths = new Set([...plan.datapaths, ...(plan.virtualNic?.datapaths ?? [])]);

  if (plan.kind === 'performance') {
    duplicates(plan.frameSizes, ['plan', 'frameSizes'], 'frame size', show);
    duplicates(plan.quickFrameSizes, ['plan', 'quickFrameSizes'], 'frame size', show);
    duplicates(plan.dutCores, ['plan', 'dutCores'], 'core count');
    duplicates(plan.suites, ['plan', 'suites'], 'suite');
    const sizes = new Set(plan.frameSizes.map(frameTag));
    plan.quickFrameSizes.forEach((f, i) => {
      if (!sizes.has(frameTag(f))) {
        issues.push({ path: ['plan', 'quickFrameSizes', i], message: `quick frame size ${show(f)} is not among plan.frameSizes`, hint: `a quick run measures a subset of: ${plan.frameSizes.map(show).join(', ')}` });
      }
    });
  } else {
    duplicates(plan.tests, ['plan', 'tests'], 'test');
    duplicates(plan.failover, ['plan', 'failover'], 'event');
  }

  const ids = new Map<string, number>();
  p.criteria.forEach((c, i) => {
    const at = (...rest: (string | number)[]): (string | number)[] => ['criteria', i, ...rest];
    const first = ids.get(c.id);
    if (first !== undefined) issues.push({ path: at('id'), message: `duplicate criterion id "${c.id}" (criteria[${first}] has it too)`, hint: 'criterion ids name rows of the certificate: give each its own' });
    else ids.set(c.id, i);

    const fits = plan.kind === 'performance' ? PERFORMANCE_CHECKS : CONFORMANCE_CHECKS;
    if (!fits.includes(c.check)) {
      issues.push({ path: at('check'), message: `check ${c.check} does not apply to a ${plan.kind} plan`, hint: `${plan.kind} plans take: ${fits.join(', ')}` });
      return;
    }
    c.where?.datapaths?.forEach((d, j) => {
      if (!datapaths.has(d)) issues.push({ path: at('where', 'datapaths', j), message: `datapath ${d} is not in the plan`, hint: `the plan runs: ${[...datapaths].join(', ')}` });
    });
    if (plan.kind === 'performance') {
      const sizes = new Set(plan.frameSizes.map(frameTag));
      c.where?.frameSizes?.forEach((f, j) => {
        if (!sizes.has(frameTag(f))) issues.push({ path: at('where', 'frameSizes', j), message: `frame size ${show(f)} is not in plan.frameSizes`, hint: `the plan measures: ${plan.frameSizes.map(show).join(', ')}` });
      });
      c.where?.dutCores?.forEach((n, j) => {
        if (!plan.dutCores.includes(n)) issues.push({ path: at('where', 'dutCores', j), message: `${n} DUT cores are not in plan.dutCores`, hint: `the plan runs: ${plan.dutCores.join(', ')}` });
      });
      const needs = c.check === 'latency' || c.check === 'latency-measured' ? 'latency' : 'throughput';
      if (!(plan.suites as readonly string[]).includes(needs)) {
        issues.push({ path: at('check'), message: `check ${c.check} needs the ${needs} suite, which plan.suites does not run`, hint: `add ${needs} to plan.suites` });
      }
      if (c.check === 'speedup') {
        if (!plan.dutCores.includes(1)) issues.push({ path: at('check'), message: 'a speedup is measured against one DUT core, and plan.dutCores has no 1', hint: 'add 1 to plan.dutCores' });
        if (!plan.dutCores.includes(c.dutCores)) issues.push({ path: at('dutCores'), message: `${c.dutCores} DUT cores are not in plan.dutCores`, hint: `the plan runs: ${plan.dutCores.join(', ')}` });
      }
    } else {
      if (c.where?.frameSizes) issues.push({ path: at('where', 'frameSizes'), message: 'a conformance plan has no frame sizes to filter on', hint: 'filter a conformance criterion by datapaths only' });
      if (c.where?.dutCores) issues.push({ path: at('where', 'dutCores'), message: 'a conformance plan has no DUT core counts to filter on', hint: 'filter a conformance criterion by datapaths only' });
      if (c.check === 'conformance' && !plan.tests.includes(c.test)) {
        issues.push({ path: at('test'), message: `test ${c.test} is not in plan.tests`, hint: `add it to plan.tests (${CONFORMANCE_TESTS[c.test]})` });
      }
      if (c.check === 'failover' && !plan.failover.includes(c.event)) {
        issues.push({ path: at('event'), message: `event ${c.event} is not in plan.failover`, hint: 'add it to plan.failover' });
      }
    }
  });
  return issues;
}
