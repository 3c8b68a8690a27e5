/**
 * Turn a run directory into a certificate: copy the inventory and the profile in, judge the records,
 * write certificate.html, print certificate.pdf, and write the manifest (signed when a key is given).
 * Nothing measured is touched: records.jsonl is only read and hashed.
 */
import type { KeyObject } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { printPdf, type PrintOptions } from '../../drivers/chromium/print-pdf.ts';
import { runView, type RunView } from '../../reports/model/run-view.ts';
import { RECORDS_FILE, readRun } from '../../reports/store/jsonl.ts';
import { evaluate, type Evaluation } from '../evaluate.ts';
import { keyFingerprint, sha256File, writeManifest, type Manifest } from '../manifest.ts';
import type { CertifyPlan } from '../plan.ts';
import { renderCertificate } from './html.ts';

export const CERTIFICATE_HTML = 'certificate.html';
export const CERTIFICATE_PDF = 'certificate.pdf';
export const INVENTORY_COPY = 'inventory.yaml';
export const PROFILE_COPY = 'profile.yaml';

/** The files a manifest covers, in its order. */
export const CERTIFIED_FILES = [RECORDS_FILE, INVENTORY_COPY, PROFILE_COPY, CERTIFICATE_HTML, CERTIFICATE_PDF] as const;

export interface CertificateSources {
  readonly plan: CertifyPlan;
  /** Exact text of the inventory and the profile the run used. */
  readonly inventoryText: string;
  readonly profileText: string;
  readonly harnessVersion: string;
  readonly signingKey?: KeyObject;
  readonly pdf?: PrintOptions;
  readonly now?: () => Date;
}

export interface WrittenCertificate {
  readonly dir: string;
  readonly html: string;
  readonly pdf: string;
  readonly manifest: Manifest;
  readonly evaluation: Evaluation;
  readonly view: RunView;
}

/** Write certificate.html, certificate.pdf, the copies and manifest.json (+ manifest.sig) into `runDir`. */
export async function writeCertificate(runDir: string, src: CertificateSources): Promise<WrittenCertificate> {
  const now = src.now ?? (() => new Date());
  await atomicWrite(join(runDir, INVENTORY_COPY), src.inventoryText);
  await atomicWrite(join(runDir, PROFILE_COPY), src.profileText);
  const view = runView(await readRun(runDir));
  const evaluation = evaluate(src.plan, view);
  const harnessCommit = view.start?.environment.harnessCommit ?? 'unknown';
  const html = renderCertificate({
    plan: src.plan,
    evaluation,
    view,
    generatedAt: now(),
    harnessVersion: src.harnessVersion,
    integrity: {
      recordsSha256: await sha256File(join(runDir, RECORDS_FILE)),
      inventorySha256: await sha256File(join(runDir, INVENTORY_COPY)),
      profileSha256: await sha256File(join(runDir, PROFILE_COPY)),
      harnessCommit,
      signerFingerprint: src.signingKey ? keyFingerprint(src.signingKey) : undefined,
    },
  });
  const htmlPath = join(runDir, CERTIFICATE_HTML);
  const pdfPath = join(runDir, CERTIFICATE_PDF);
  await atomicWrite(htmlPath, html);
  const printed = await printPdf(htmlPath, pdfPath, src.pdf);
  if (printed.refused.length > 0) throw new Error(`the certificate asked for the network while printing: ${printed.refused.join(', ')}`);
  const manifest = await writeManifest(
    runDir,
    {
      runId: view.runId,
      createdAt: now().toISOString(),
      profile: { name: src.plan.profile.profile, version: src.plan.profile.version },
      lab: { name: src.plan.lab.name, kind: src.plan.lab.kind },
      harness: { version: src.harnessVersion, commit: harnessCommit },
      verdict: evaluation.verdict,
    },
    CERTIFIED_FILES,
    src.signingKey,
  );
  return { dir: runDir, html: htmlPath, pdf: pdfPath, manifest, evaluation, view };
}

async function atomicWrite(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
