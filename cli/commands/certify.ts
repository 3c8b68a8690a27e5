/**
 * `wirespeed certify --lab L --profile P` runs a certification profile and writes the certificate;
 * `wirespeed certify verify DIR [--public-key K]` checks a certificate against its records and signature.
 */
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.ts';
import { builtinProfiles } from '../../certify/profile/load.ts';
import { formatVerification, readPublicKey, verifyCertificate } from '../../certify/manifest.ts';
import { DEFAULT_LAB } from '../../contract/settings.ts';
import { runCertify } from '../certify/run-certify.ts';

interface CertifyArgs {
  lab: string;
  profile: string | undefined;
  nic: string | undefined;
  quick: boolean;
  out: string | undefined;
  'sign-key': string | undefined;
}

interface VerifyArgs {
  dir: string;
  'public-key': string | undefined;
  json: boolean;
}

const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify <dir>',
  describe: 'recompute the hashes of a certificate directory, check its signature, and say whether it matches its records (exit 0 when it does, 1 when not)',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'the directory `wirespeed certify` wrote' })
      .option('public-key', { type: 'string', describe: "the certifying lab's published Ed25519 public key (PEM): the signature must be by it" })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' }),
  handler: async (argv) => {
    const trustedKey = argv['public-key'] === undefined ? undefined : await readPublicKey(argv['public-key']);
    const v = await verifyCertificate(argv.dir, trustedKey ? { trustedKey } : {});
    process.stdout.write(argv.json ? `${JSON.stringify({ ok: v.ok, signature: v.signature, files: v.files, problems: v.problems, manifest: { runId: v.manifest.runId, profile: v.manifest.profile, lab: v.manifest.lab, harness: v.manifest.harness, verdict: v.manifest.verdict } })}\n` : formatVerification(argv.dir, v));
    process.exitCode = v.ok ? 0 : 1;
  },
};

export const certifyCommand: CommandModule<object, CertifyArgs> = {
  command: 'certify',
  describe: 'run a certification profile (nic-performance, sriov-conformance) and write a certificate: HTML, PDF and a signed manifest; `certify verify DIR` checks one',
  builder: (y) =>
    y
      .command(verifyCommand as unknown as CommandModule<object, object>)
      .option('lab', { type: 'string', default: DEFAULT_LAB, describe: 'lab inventory file' })
      .option('profile', { type: 'string', describe: `certification profile: a built-in name (${builtinProfiles().join(', ')}) or a profile file` })
      .option('nic', { type: 'string', describe: "inventory name of the NIC under certification (default: the DUT node's first NIC)" })
      .option('quick', { type: 'boolean', default: false, describe: 'short trials and the profile\'s quick frame sizes: a demonstration, not certified values' })
      .option('out', { type: 'string', describe: 'run directory for records and the certificate (default results/<run-id>)' })
      .option('sign-key', { type: 'string', describe: "the certifying lab's Ed25519 private key (PEM) to sign the manifest with; unsigned without it" }),
  handler: async (argv) => {
    if (argv.profile === undefined) {
      throw new ConfigError('certify needs a profile', { where: '--profile', hint: `give --profile ${builtinProfiles().join(' or --profile ')} (or a profile file), or run \`wirespeed certify verify DIR\`` });
    }
    const { code } = await runCertify({
      lab: argv.lab,
      profile: argv.profile,
      quick: argv.quick,
      ...(argv.nic === undefined ? {} : { nic: argv.nic }),
      ...(argv.out === undefined ? {} : { out: argv.out }),
      ...(argv['sign-key'] === undefined ? {} : { signKey: argv['sign-key'] }),
    });
    process.exitCode = code;
  },
};
