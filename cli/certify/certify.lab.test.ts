import { test, expect } from '@playwright/test';
import { generateKeyPairSync } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inScratchDir, REPO_ROOT, wirespeedCli } from '../../fixtures/wirespeed-cli.ts';
import { readRun } from '../../reports/store/jsonl.ts';
import type { ResultRecord } from '../../reports/schema/record.ts';

// The whole certification flow on the local lab: profile, plan, real l3fwd runs, records, certificate,
// Chromium's PDF, signed manifest; then `certify verify` on it, before and after one byte changes.
test('`wirespeed certify --profile nic-performance --quick` on the local lab exits 0 with HTML, PDF and a signed manifest; verify passes, then fails after one byte of records.jsonl changes', async () => {
  test.setTimeout(280_000);
  await inScratchDir('certify-', async (base) => {
    const outDir = join(base, 'cert');
    const keys = generateKeyPairSync('ed25519');
    await writeFile(join(base, 'lab-key.pem'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(base, 'lab-key.pub.pem'), keys.publicKey.export({ type: 'spki', format: 'pem' }));

    // Minimal trial durations: rates are not asserted (2 shared cores), only the flow and the verdicts.
    const run = await wirespeedCli(['certify', '--lab', 'lab/local.yaml', '--profile', 'nic-performance', '--quick', '--out', outDir, '--sign-key', join(base, 'lab-key.pem')], { WIRESPEED_TRIAL_S: '0.2' });
    await test.info().attach('wirespeed-certify.txt', { body: run.output, contentType: 'text/plain' });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/^certificate cert: PASSED \(2 passed, 0 failed, 0 not measured, 5 not applicable\)$/m);
    for (const f of ['certificate.html', 'certificate.pdf', 'manifest.json', 'manifest.sig', 'inventory.yaml', 'profile.yaml', 'records.jsonl']) await access(join(outDir, f));
    expect(await readFile(join(outDir, 'inventory.yaml'), 'utf8')).toBe(await readFile(join(REPO_ROOT, 'lab/local.yaml'), 'utf8'));

    // The records are those of an ordinary run: vhost-user at 64 and 1518 B with 254 flows, the invocation is certify's.
    const records = await readRun(outDir);
    expect(records.partial).toBe(false);
    const start = records.records[0];
    expect(start?.kind === 'run-start' && start.invocation).toMatch(/^wirespeed certify --lab lab\/local\.yaml --profile nic-performance --quick --sign-key/);
    const results = records.records.filter((r): r is ResultRecord => r.kind === 'result');
    expect(results.map((r) => r.scenarioId).sort()).toEqual(
      ['1n-local-2p-vhost-user-l3fwd-1518b-latency', '1n-local-2p-vhost-user-l3fwd-1518b-ndrpdr', '1n-local-2p-vhost-user-l3fwd-64b-latency', '1n-local-2p-vhost-user-l3fwd-64b-ndrpdr'],
    );
    for (const r of results) expect(r.flows, r.scenarioId).toBe(254);

    const html = await readFile(join(outDir, 'certificate.html'), 'utf8');
    expect(html).toContain('— virtual NIC (lab local');

    const verify = await wirespeedCli(['certify', 'verify', outDir, '--public-key', join(base, 'lab-key.pub.pem')]);
    expect(verify.code, verify.output).toBe(0);
    expect(verify.output).toContain('signature: valid, by the key given');
    expect(verify.output.trimEnd().split('\n').at(-1)).toBe('the certificate matches its records');

    // One byte of the records changes: the certificate no longer matches them.
    const path = join(outDir, 'records.jsonl');
    const bytes = await readFile(path);
    const at = bytes.lastIndexOf(Buffer.from('"received":')) + '"received":'.length;
    bytes[at] = bytes[at] === 0x31 ? 0x32 : 0x31;
    await writeFile(path, bytes);
    const tampered = await wirespeedCli(['certify', 'verify', outDir, '--public-key', join(base, 'lab-key.pub.pem')]);
    expect(tampered.code, tampered.output).toBe(1);
    expect(tampered.output).toContain('CHANGED  records.jsonl');
    expect(tampered.output.trimEnd().split('\n').at(-1)).toBe('the certificate does NOT match its records');
  });
});
