/**
 * `wirespeed certify`: load the profile and the lab, plan which cells run, run them through the normal
 * run machinery (records, reports, teardown as with `wirespeed run`), then write the certificate, its PDF
 * and the signed manifest into the run directory. The exit code is the run's when the harness or the lab
 * failed (2..70), else 0 for a passed certificate and 1 for one that failed or is incomplete.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { loadLab } from '../../lab/load.ts';
import { newRunId } from '../../reports/store/run-id.ts';
import { CERTIFICATE_HTML, CERTIFICATE_PDF, writeCertificate, type WrittenCertificate } from '../../certify/certificate/write.ts';
import { MANIFEST_FILE, readSigningKey, SIGNATURE_FILE } from '../../certify/manifest.ts';
import { labForPlan, makePlan, type CertifyPlan } from '../../certify/plan.ts';
import { loadProfile } from '../../certify/profile/load.ts';
import { REPO_ROOT } from '../run/playwright.ts';
import { runScenarios } from '../run/run-scenarios.ts';

export interface CertifyOptions {
  readonly lab: string;
  /** A built-in profile name or a profile file. */
  readonly profile: string;
  /** Inventory name of the NIC under certification (default: the DUT node's first NIC). */
  readonly nic?: string;
  readonly quick: boolean;
  readonly out?: string;
  /** Ed25519 private key (PEM) of the certifying lab; unsigned without it. */
  readonly signKey?: string;
  /** Extra environment for the scenario processes (tests shorten trials with it). */
  readonly env?: Readonly<Record<string, string>>;
  readonly print?: (line: string) => void;
}

/** The `wirespeed certify` equivalent of the options, for the run-start record. */
function invocationOf(o: CertifyOptions): string {
  return ['wirespeed certify', `--lab ${o.lab}`, `--profile ${o.profile}`, o.nic && `--nic ${o.nic}`, o.quick && '--quick', o.signKey && '--sign-key …'].filter(Boolean).join(' ');
}

/** Why nothing of the profile runs on this lab: the distinct reasons of its cells. */
function nothingApplies(plan: CertifyPlan): ConfigError {
  const reasons = [...new Set([...plan.performance, ...plan.conformance].map((c) => c.notApplicable).filter((r): r is string => r !== undefined))];
  return new ConfigError(`nothing of profile ${plan.profile.profile} can run on lab ${plan.lab.name}: ${reasons.join('; ')}`, {
    where: '--profile',
    hint: 'run it on a lab that has what the profile certifies (docs/certification.md lists what each profile needs)',
  });
}

export async function runCertify(opts: CertifyOptions): Promise<{ code: number; certificate: WrittenCertificate }> {
  const print = opts.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  // Everything that can be wrong with the input fails before anything runs.
  const key = opts.signKey === undefined ? undefined : await readSigningKey(opts.signKey);
  const profile = await loadProfile(opts.profile);
  const lab = await loadLab(opts.lab);
  // The lab is data (no shells are opened to plan).
  const plan: CertifyPlan = makePlan(profile.profile, labForPlan(lab, opts.nic), { quick: opts.quick });
  if (!plan.run) throw nothingApplies(plan);
  const inventoryText = await readFile(lab.file, 'utf8');
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };

  const outDir = resolve(opts.out ?? join('results', newRunId()));
  const run = plan.run;
  print(
    `wirespeed certify: profile ${profile.profile.profile} v${profile.profile.version} on lab ${plan.lab.name}, NIC ${plan.lab.nic.name} (${plan.lab.nic.model})${plan.virtualNic ? ' (virtual NIC: a demonstration)' : ''}${key ? '' : ', unsigned'}`,
  );
  const runCode = await runScenarios({
    lab: opts.lab,
    suites: run.suites,
    datapaths: run.datapaths,
    frameSizes: run.frameSizes.join(','),
    flows: run.flows,
    ...(run.dutCores.some((c) => c !== 1) ? { dutCores: run.dutCores } : {}),
    ...(plan.virtualNic ? {} : { nics: [plan.lab.nic.model.toLowerCase()] }),
    quick: opts.quick,
    out: outDir,
    invocation: invocationOf(opts),
    ...(opts.env || run.env ? { env: { ...(run.env ?? {}), ...(opts.env ?? {}) } } : {}),
    print,
  });

  // Whatever the run did, the records are judged: a failed or cut-short run gives a certificate that says so.
  const certificate = await writeCertificate(outDir, { plan, inventoryText, profileText: profile.text, harnessVersion: pkg.version ?? '0.0.0', ...(key ? { signingKey: key } : {}) });
  const e = certificate.evaluation;
  print('');
  print(`certificate ${basename(outDir)}: ${e.verdict.toUpperCase()} (${e.counts.pass} passed, ${e.counts.fail} failed, ${e.counts['not-measured']} not measured, ${e.counts['not-applicable']} not applicable)`);
  for (const c of e.criteria.filter((x) => x.verdict === 'fail' || x.verdict === 'not-measured')) print(`  ${c.verdict === 'fail' ? 'FAILED' : 'not measured'}: ${c.criterion.title}`);
  // Relative to where the user is, unless that climbs out of it: then the absolute path reads better.
  const shown = (path: string) => {
    const r = relative(process.cwd(), path);
    return r === '' || r.startsWith('..') ? resolve(path) : r;
  };
  const rel = (f: string) => shown(join(outDir, f));
  print(`certificate: ${rel(CERTIFICATE_HTML)}`);
  print(`pdf:         ${rel(CERTIFICATE_PDF)}`);
  print(`manifest:    ${rel(MANIFEST_FILE)}${key ? ` (signed: ${rel(SIGNATURE_FILE)})` : ' (unsigned)'}`);
  print(`check it:    wirespeed certify verify ${shown(outDir)}${key ? ' --public-key LAB-KEY.pub.pem' : ''}`);

  // A harness or lab problem (2..70, 130) wins over the verdict, as with `wirespeed run`.
  const code = runCode !== 0 && runCode !== 1 ? runCode : e.verdict === 'passed' ? 0 : 1;
  return { code, certificate };
}
