/**
 * The console's codec endpoint (`/codec/decode`, `/codec/encode`) over real HTTP, against a real run's encrypted
 * history: 401 and nothing decoded without an operator, the CORS preflight answered for the Temporal UI's origin
 * only (exact origin, with credentials), and decoding for a signed-in operator by session cookie or bearer token.
 */

import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { ENCRYPTED_ENCODING } from '../../src/temporal/codec/encryption-codec';
import { payloadsToJson } from '../../src/apps/console/codec-endpoint';
import { fastOptions, startTestStack, type TestStack } from '../helpers/test-stack';
import { addOperator, type TestOperator } from '../helpers/operators';
import type { NewHire } from '../../workflows/onboarding/types';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

const UI_ORIGIN = 'http://127.0.0.1:8233';
let stack: TestStack;
let console_: RunningConsole;
let viewer: TestOperator;
let hire: NewHire;
/** The run's start input as the server stores it, in the codec protocol's JSON. */
let storedInput: { payloads: Array<{ metadata: Record<string, string>; data: string }> };
const lines: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  viewer = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.viewer', 'viewer');
  console_ = await startOperatorConsole({
    client: stack.client,
    config: stack.config,
    host: '127.0.0.1',
    port: 0,
    log: (l) => lines.push(l),
  });
  hire = newHire();
  const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
  await started.handle.result();
  const history = await started.handle.fetchHistory();
  const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
  storedInput = payloadsToJson(input) as typeof storedInput;
});
afterAll(async () => {
  await console_?.stop();
  await stack?.stop();
});

const decodePost = (headers: Record<string, string>, body: unknown = storedInput) =>
  fetch(`${console_.url}/codec/decode`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
    body: JSON.stringify(body),
  });

const decodedText = (body: { payloads: Array<{ data: string }> }) =>
  body.payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');

it('stores the run input encrypted: the hire is not in it', () => {
  const [payload] = storedInput.payloads;
  expect(Buffer.from(payload!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
  expect(Buffer.from(payload!.data, 'base64').toString('latin1')).not.toContain(hire.email);
});

it('answers 401 and decodes nothing without an operator, or with a wrong token', async () => {
  const attempts: Array<Record<string, string>> = [
    {},
    { Authorization: 'Bearer ovt_not-a-real-token-000000000000000000' },
    { Cookie: 'overture_session=forged' },
  ];
  for (const headers of attempts) {
    const response = await decodePost({ Origin: UI_ORIGIN, ...headers });
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).not.toContain(hire.email);
    expect(text).not.toContain(hire.fullName);
  }
});

it("answers the CORS preflight for the Temporal UI's origin exactly, with credentials, and not for another origin", async () => {
  const preflight = (origin: string) =>
    fetch(`${console_.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
    });
  const ok = await preflight(UI_ORIGIN);
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
  expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
  expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('x-namespace'));
  expect(ok.headers.get('vary')).toBe('Origin');
  expect((await preflight('http://localhost:8233')).headers.get('access-control-allow-origin')).toBe('http://localhost:8233');

  const evil = await preflight('https://evil.example');
  expect(evil.status).toBe(403);
  expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
  // The same for a real request from another origin, even one with a valid token: no CORS, nothing decoded.
  const crossSite = await decodePost({ Origin: 'https://evil.example', Authorization: `Bearer ${viewer.token}` });
  expect(crossSite.status).toBe(403);
  expect(await crossSite.text()).not.toContain(hire.email);
});

it('decodes the stored input for an operator signed in to the console (session cookie, from the UI origin)', async () => {
  const signIn = await fetch(`${console_.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: viewer.token }),
    redirect: 'manual',
  });
  expect(signIn.status).toBe(303);
  const session = signIn.headers.getSetCookie().find((c) => c.startsWith('overture_session='))!;
  // Same-site with the UI (127.0.0.1 on another port), so Strict lets the browser send it; see codec-endpoint.ts.
  expect(session).toMatch(/SameSite=Strict/);
  const response = await decodePost({ Origin: UI_ORIGIN, Cookie: session.split(';')[0]! });
  expect(response.status).toBe(200);
  expect(response.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  const body = (await response.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
  expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
  const text = decodedText(body);
  expect(text).toContain(hire.email);
  expect(text).toContain(hire.fullName);
});

it('decodes for a bearer token too, and encodes: what it encodes decodes back', async () => {
  const decoded = await decodePost({ Authorization: `Bearer ${viewer.token}` });
  expect(decoded.status).toBe(200);
  const plain = (await decoded.json()) as typeof storedInput;
  expect(decodedText(plain)).toContain(hire.email);

  const encoded = await fetch(`${console_.url}/codec/encode`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${viewer.token}` },
    body: JSON.stringify(plain),
  });
  expect(encoded.status).toBe(200);
  const cipher = (await encoded.json()) as typeof storedInput;
  expect(Buffer.from(cipher.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
  expect(decodedText(cipher)).not.toContain(hire.email);
  const again = await decodePost({ Authorization: `Bearer ${viewer.token}` }, cipher);
  expect(decodedText((await again.json()) as typeof storedInput)).toContain(hire.email);
});

it('refuses a body that is not JSON, another namespace, and altered ciphertext, without echoing data', async () => {
  const auth = { Authorization: `Bearer ${viewer.token}` };
  const form = await fetch(`${console_.url}/codec/decode`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'text/plain' },
    body: JSON.stringify(storedInput),
  });
  expect(form.status).toBe(415);
  const otherNamespace = await decodePost({ ...auth, 'X-Namespace': 'payments' });
  expect(otherNamespace.status).toBe(403);
  const data = Buffer.from(storedInput.payloads[0]!.data, 'base64');
  data[data.length - 1] = data[data.length - 1]! ^ 1;
  const tampered = await decodePost(auth, { payloads: [{ ...storedInput.payloads[0]!, data: data.toString('base64') }] });
  expect(tampered.status).toBe(400);
  expect(await tampered.text()).toMatch(/failed authentication/);
});
