/** OIDC sign-in's configuration through loadConfig: all or nothing, secure issuers, the secret or its file, scopes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { problemOf } from '../helpers/config-errors';

const FULL = { OIDC_ISSUER: 'https://login.example.com/realms/ops', OIDC_CLIENT_ID: 'overture', OIDC_CLIENT_SECRET: 's3cret-value' };

test('off unless configured; blank variables count as unset', () => {
  expect(loadConfig({}).oidc).toBeUndefined();
  expect(loadConfig({ OIDC_ISSUER: '', OIDC_CLIENT_ID: '  ', OIDC_SCOPES: '' }).oidc).toBeUndefined();
});

test('a full set turns it on, with openid and email always among the scopes and the issuer host as the default name', () => {
  expect(loadConfig(FULL).oidc).toEqual({
    issuer: FULL.OIDC_ISSUER,
    clientId: 'overture',
    clientSecret: 's3cret-value',
    scopes: 'openid email',
    providerName: 'login.example.com',
  });
  const named = loadConfig({
    ...FULL,
    OIDC_SCOPES: 'openid profile',
    OIDC_PROVIDER_NAME: 'Acme SSO',
    OIDC_REDIRECT_URI: 'https://ops.example.com/auth/oidc/callback',
  }).oidc;
  expect(named).toMatchObject({
    scopes: 'openid email profile',
    providerName: 'Acme SSO',
    redirectUri: 'https://ops.example.com/auth/oidc/callback',
  });
});

test('a partial set is refused, naming what is missing', () => {
  const onlyIssuer = problemOf({ OIDC_ISSUER: FULL.OIDC_ISSUER });
  expect(onlyIssuer).toContain('OIDC sign-in is partly configured (OIDC_ISSUER set)');
  expect(onlyIssuer).toContain('set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET or OIDC_CLIENT_SECRET_FILE too');
  expect(problemOf({ OIDC_ISSUER: FULL.OIDC_ISSUER, OIDC_CLIENT_ID: 'overture' })).toContain(
    'set OIDC_CLIENT_SECRET or OIDC_CLIENT_SECRET_FILE too',
  );
  expect(problemOf({ OIDC_SCOPES: 'openid email' })).toContain('(OIDC_SCOPES set)');
});

test('the issuer must be https, or http on loopback only', () => {
  expect(problemOf({ ...FULL, OIDC_ISSUER: 'http://login.example.com' })).toContain(
    'OIDC_ISSUER: must be an https URL (http only on loopback)',
  );
  expect(problemOf({ ...FULL, OIDC_ISSUER: 'not a url' })).toContain('OIDC_ISSUER: must be a URL');
  expect(problemOf({ ...FULL, OIDC_REDIRECT_URI: 'http://ops.example.com/auth/oidc/callback' })).toContain(
    'OIDC_REDIRECT_URI: must be an https URL',
  );
  expect(loadConfig({ ...FULL, OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc?.issuer).toBe('http://127.0.0.1:9000');
  expect(loadConfig({ ...FULL, OIDC_ISSUER: 'http://localhost:9000' }).oidc?.issuer).toBe('http://localhost:9000');
  expect(loadConfig({ ...FULL, OIDC_ISSUER: 'http://[::1]:9000' }).oidc?.issuer).toBe('http://[::1]:9000');
});

test('the secret can come from a file (not both); an unreadable or empty file is refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oidc-secret-'));
  try {
    const file = path.join(dir, 'secret');
    fs.writeFileSync(file, 'from-the-file\n', { mode: 0o600 });
    const withoutSecret = { OIDC_ISSUER: FULL.OIDC_ISSUER, OIDC_CLIENT_ID: FULL.OIDC_CLIENT_ID };
    expect(loadConfig({ ...withoutSecret, OIDC_CLIENT_SECRET_FILE: file }).oidc?.clientSecret).toBe('from-the-file');
    expect(problemOf({ ...FULL, OIDC_CLIENT_SECRET_FILE: file })).toContain('OIDC_CLIENT_SECRET and OIDC_CLIENT_SECRET_FILE are both set');
    expect(problemOf({ ...withoutSecret, OIDC_CLIENT_SECRET_FILE: path.join(dir, 'missing') })).toContain(
      'OIDC_CLIENT_SECRET_FILE cannot be read (ENOENT)',
    );
    fs.writeFileSync(path.join(dir, 'empty'), '\n');
    expect(problemOf({ ...withoutSecret, OIDC_CLIENT_SECRET_FILE: path.join(dir, 'empty') })).toContain('OIDC_CLIENT_SECRET_FILE is empty');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('scopes without openid and a provider name with markup are refused', () => {
  expect(problemOf({ ...FULL, OIDC_SCOPES: 'email profile' })).toContain('OIDC_SCOPES: must include openid');
  expect(problemOf({ ...FULL, OIDC_PROVIDER_NAME: '<b>SSO</b>' })).toContain('OIDC_PROVIDER_NAME');
});
