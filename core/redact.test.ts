import { expect, test } from '@playwright/test';
import { kubeconfigSecrets, REDACTED, redactSecrets } from './redact.ts';

test('credential values in kubeconfig-like YAML and JSON are replaced, the keys stay', () => {
  const text = ['users:', '  - name: u', '    user:', '      token: sekrit-token-abcdef123456', '      client-key-data: LS0tLS1CRUdJTiBQUklWQVRF', '{"password": "hunter2-x", "user": "ada"}'].join('\n');
  const out = redactSecrets(text);
  expect(out).not.toContain('sekrit-token-abcdef123456');
  expect(out).not.toContain('LS0tLS1CRUdJTiBQUklWQVRF');
  expect(out).not.toContain('hunter2-x');
  expect(out).toContain(`token: ${REDACTED}`);
  expect(out).toContain(`client-key-data: ${REDACTED}`);
  expect(out).toContain('"user": "ada"');
});

test('Authorization schemes, URL user info, query credentials and PEM keys are redacted; prose is not', () => {
  expect(redactSecrets('Authorization: Bearer eyJhbGciOi.abc.def')).toBe(`Authorization: Bearer ${REDACTED}`);
  expect(redactSecrets('authorization: Token wsp-h5-secret-token-7f3a9')).toBe(`authorization: Token ${REDACTED}`);
  expect(redactSecrets('Basic dXNlcjpwYXNzd29yZA==')).toBe(`Basic ${REDACTED}`);
  expect(redactSecrets('POST http://admin:s3cret@influx.lab:8086/write?db=x&u=admin&p=s3cret')).toBe(`POST http://admin:${REDACTED}@influx.lab:8086/write?db=x&u=admin&p=${REDACTED}`);
  expect(redactSecrets('https://influx.lab/api/v2/write?org=o&token=abc123&bucket=b')).toBe(`https://influx.lab/api/v2/write?org=o&token=${REDACTED}&bucket=b`);
  expect(redactSecrets('-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----')).toBe(`-----BEGIN RSA PRIVATE KEY----- ${REDACTED}`);
  // Words that only look like schemes stay readable.
  expect(redactSecrets('use Basic authentication or a Token instead')).toBe('use Basic authentication or a Token instead');
});

test('known secret values go wherever they appear, also base64-encoded', () => {
  const pw = 'correct horse';
  const basic = Buffer.from(`ada:${pw}`).toString('base64');
  const out = redactSecrets(`x ${pw} y ${Buffer.from(pw).toString('base64')} z`, [pw, undefined, 'ab']);
  expect(out).toBe(`x ${REDACTED} y ${REDACTED} z`);
  expect(redactSecrets(`header ${basic}`, [`ada:${pw}`])).toBe(`header ${REDACTED}`);
});

test('kubeconfigSecrets lists the credential values of a kubeconfig', () => {
  const kc = 'users:\n- name: a\n  user:\n    token: "t0ken-a"\n    client-key-data: S0VZ\n- name: b\n  user: {username: b, password: pw-b}\n';
  expect(kubeconfigSecrets(kc)).toEqual(['t0ken-a', 'S0VZ', 'pw-b']);
});
