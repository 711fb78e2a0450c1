/**
 * Connecting to Temporal over TLS and mTLS, with real TLS: a TLS front (node:tls, certificates made by openssl at
 * test time) before the test run's dev server. A client and a worker onboard a new hire through it; a missing
 * client certificate and a wrong CA are refused with a message that says which, by the client, the CLI and the worker.
 */
import os from 'node:os';
import { loadConfig } from '../../src/config';
import { connectClient } from '../../src/client';
import { NativeConnection } from '@temporalio/worker';
import { TemporalConnectionError, temporalConnectionOptions } from '../../src/temporal/connect';
import { createWorker } from '../../workers/overture-worker';
import { fastOptions, startTestStack, type TestStack } from '../helpers/test-stack';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-certificates';
import { startTlsTerminator, type TlsTerminator } from '../helpers/tls-terminator';
import { runCommand, spawnWorker, kill } from '../helpers/processes';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

let certs: TestCertificates;
let tlsFront: TlsTerminator;
let mtlsFront: TlsTerminator;
const stacks: TestStack[] = [];

beforeAll(async () => {
  const upstream = process.env.OVERTURE_TEST_TEMPORAL_ADDRESS!;
  certs = makeTestCertificates(process.env.OVERTURE_TEST_DIR ?? os.tmpdir());
  const server = { upstream, cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert };
  tlsFront = await startTlsTerminator({ ...server, requireClientCert: false });
  mtlsFront = await startTlsTerminator({ ...server, requireClientCert: true });
});

afterAll(async () => {
  for (const stack of stacks) await stack.stop();
  await tlsFront?.stop();
  await mtlsFront?.stop();
});

/** Onboards one new hire through the stack's client and worker and returns its final state and the mail it sent. */
async function onboardThrough(stack: TestStack): Promise<{ state: string; mailTo: string[] }> {
  const hire = newHire();
  const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
  const result = (await started.handle.result()) as { state: string };
  const mailTo = stack.mail
    .messages()
    .flatMap((m) => m.to)
    .filter((to) => to === hire.email);
  return { state: result.state, mailTo };
}

/** The CLI in its own process: `npx tsx src/apps/cli/main.ts list` with this environment. */
function cliList(env: Record<string, string>) {
  return runCommand('npx', ['--no-install', 'tsx', 'src/apps/cli/main.ts', 'list'], env);
}

/** Runs the worker process until it exits (it must, within the time) and returns its exit code and output. */
async function workerExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const worker = spawnWorker(env);
  const exited = new Promise<number | null>((resolve) => worker.child.once('exit', (code) => resolve(code)));
  const timer = setTimeout(() => void kill(worker.child), 30_000);
  const code = await exited;
  clearTimeout(timer);
  return { code, output: worker.output() };
}

describe('TLS (server certificate checked against TEMPORAL_TLS_CA)', () => {
  it('a client and a worker connect through the TLS front and an onboarding completes', async () => {
    const before = tlsFront.accepted;
    const stack = await startTestStack({ TEMPORAL_ADDRESS: tlsFront.address, TEMPORAL_TLS_CA: certs.caCert });
    stacks.push(stack);
    expect(stack.config.temporalConnection.tls?.serverRootCACertificate).toBeDefined();
    const { state, mailTo } = await onboardThrough(stack);
    expect(state).toBe('completed');
    expect(mailTo).toHaveLength(1);
    // The client's connection and the worker's native one both went through the front (plaintext would not: see below).
    expect(tlsFront.accepted - before).toBeGreaterThanOrEqual(2);
  });

  it('with an API key beside the CA, the client and a worker connection still connect over TLS (the dev server ignores the key)', async () => {
    const config = loadConfig({ ...stacks[0]!.env, TEMPORAL_API_KEY: 'test-api-key' });
    expect(temporalConnectionOptions(config).apiKey).toBe('test-api-key');
    const before = tlsFront.accepted;
    const client = await connectClient(config);
    const native = await NativeConnection.connect(temporalConnectionOptions(config));
    try {
      const info = await client.connection.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBeTruthy();
      expect(tlsFront.accepted - before).toBeGreaterThanOrEqual(2);
    } finally {
      await client.connection.close();
      await native.close();
    }
  });

  it('a client without TLS cannot use the TLS front', async () => {
    const config = loadConfig({ ...stacks[0]!.env, TEMPORAL_TLS_CA: '' });
    expect(config.temporalConnection.tls).toBeUndefined();
    const before = tlsFront.accepted;
    await expect(connectClient(config)).rejects.toThrow();
    expect(tlsFront.accepted).toBe(before);
  }, 30_000);

  it('a wrong CA is refused: client, CLI (exit 1) and worker process (exit 1) say the certificate is not signed by TEMPORAL_TLS_CA', async () => {
    const stack = stacks[0]!;
    const env = { ...stack.env, TEMPORAL_ADDRESS: tlsFront.address, TEMPORAL_TLS_CA: certs.otherCaCert };
    const expected = `TLS handshake with ${tlsFront.address} failed: the server's certificate is not signed by TEMPORAL_TLS_CA (${certs.otherCaCert})`;

    const started = Date.now();
    const refusal = await connectClient(loadConfig(env)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refusal).toBeInstanceOf(TemporalConnectionError);
    expect((refusal as Error).message).toContain(expected);
    // At once, not after gRPC's 10 s connect timeout.
    expect(Date.now() - started).toBeLessThan(5_000);

    const cli = await cliList(env);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`cannot reach Temporal: ${expected}`);
    expect(cli.stdout).toBe('');

    const worker = await workerExit(env);
    expect(worker.code).toBe(1);
    expect(worker.output).toContain(expected);
    expect(worker.output).not.toContain('worker polling task queue');
  }, 90_000);
});

describe('mTLS (the front requires a client certificate signed by its CA)', () => {
  it('without a client certificate the client, the in-process worker and the CLI are refused with a clear error', async () => {
    const stack = stacks[0]!;
    const env = { ...stack.env, TEMPORAL_ADDRESS: mtlsFront.address, TEMPORAL_TLS_CA: certs.caCert };
    const expected = `TLS handshake with ${mtlsFront.address} failed: the server requires a client certificate (mTLS): set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY`;
    const config = loadConfig(env);

    await expect(connectClient(config)).rejects.toThrow(expected);
    await expect(createWorker(config)).rejects.toThrow(expected);
    const cli = await cliList(env);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(expected);
    expect(mtlsFront.accepted).toBe(0);
  }, 60_000);

  it('with a client certificate, a client and a worker connect and an onboarding completes', async () => {
    const stack = await startTestStack({
      TEMPORAL_ADDRESS: mtlsFront.address,
      TEMPORAL_TLS_CA: certs.caCert,
      TEMPORAL_TLS_CERT: certs.clientCert,
      TEMPORAL_TLS_KEY: certs.clientKey,
    });
    stacks.push(stack);
    const { state, mailTo } = await onboardThrough(stack);
    expect(state).toBe('completed');
    expect(mailTo).toHaveLength(1);
    expect(mtlsFront.accepted).toBeGreaterThanOrEqual(2);

    // The CLI in its own process, over mTLS, lists that run.
    const cli = await cliList(stack.env);
    // grpc-js passes an IP address as the TLS server name, which Node warns about once; nothing else may be said.
    expect(cli.stderr.split('\n').filter((line) => line && !/DEP0123|trace-deprecation/.test(line))).toEqual([]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('completed');
  }, 90_000);

  it('a worker process connects over mTLS and polls', async () => {
    const stack = stacks[1]!;
    const worker = spawnWorker({ ...stack.env, TEMPORAL_TASK_QUEUE: `${stack.env.TEMPORAL_TASK_QUEUE}-process` });
    try {
      await worker.ready;
      expect(worker.output()).toContain(`on ${mtlsFront.address}`);
    } finally {
      await kill(worker.child, 'SIGTERM');
    }
  }, 90_000);
});
