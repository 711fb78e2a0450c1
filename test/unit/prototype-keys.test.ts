/**
 * A field named __proto__, constructor or prototype is refused the same way by every entry point: the event
 * gateway (a real HTTP server), the CLI's `start` and the console's start (both validate through prepareRunStart).
 * JSON.parse keeps "__proto__" as an own key; the gateway's record schema copied it into the object's prototype,
 * so the event's data carried fields nobody validated.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { startEventGateway, type RunningEventGateway } from '../../src/apps/events/server';
import { signedHeaders } from '../../src/apps/events/signature';
import { runCli } from '../../src/apps/cli/main';
import { type HttpError, readJson } from '../../src/apps/console/http-helpers';
import { prepareRunStart } from '../../src/client';
import { findProcess } from '../../src/registry';
import { InputError } from '../../workflows/kit/input';
import { newHire } from '../processes/onboarding/helpers';

const TYPE = 'hr.employee-hired';
const SECRET = 's'.repeat(64);
const KEYS = ['__proto__', 'constructor', 'prototype'];

let dataDir: string;
let gateway: RunningEventGateway;
/** The console's body reader behind a real HTTP server: answers 400 with its problems, or 200. */
let consoleBodies: http.Server;
let consoleUrl: string;

/** The hire as JSON text with the key first, holding a field the schema does not know. */
const hireWith = (key: string) => JSON.stringify(newHire()).replace('{', `{"${key}":{"salary":"1000000"},`);

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-proto-'));
  const config = loadConfig({ OVERTURE_DATA_DIR: dataDir, EVENT_SOURCES: JSON.stringify({ hr: { secret: SECRET, types: [TYPE] } }) });
  // Refused before any delivery: the client is never called (its connection is only named by the readiness probe).
  gateway = await startEventGateway({ client: { connection: {} } as unknown as Client, config, port: 0 });
  consoleBodies = http.createServer((req, res) => {
    readJson(req).then(
      () => res.writeHead(200).end('{}'),
      (err: HttpError) => res.writeHead(err.status, { 'content-type': 'application/json' }).end(JSON.stringify(err.extra)),
    );
  });
  await new Promise<void>((resolve) => consoleBodies.listen(0, '127.0.0.1', resolve));
  consoleUrl = `http://127.0.0.1:${(consoleBodies.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => consoleBodies?.close(resolve));
  await gateway?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe.each(KEYS)('a field named %s', (key) => {
  const message = `field name ${key} is not allowed`;

  it('is refused by the event gateway with 400, naming where', async () => {
    const body = `{"id":"hire-${key.replace(/_/g, '')}","data":${hireWith(key)}}`;
    const res = await fetch(`${gateway.url}/events/${TYPE}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...signedHeaders('hr', SECRET, body) },
      body,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { problems: unknown }).problems).toEqual([{ path: 'data', message }]);
  });

  it('is refused by the CLI and the console with the same message', async () => {
    const file = path.join(dataDir, `hire-${key}.json`);
    fs.writeFileSync(file, hireWith(key));
    const stderr: string[] = [];
    const io = { stdout: () => undefined, stderr: (t: string) => stderr.push(t), readStdin: () => '', isTty: false };
    const before = process.env.OVERTURE_DATA_DIR;
    process.env.OVERTURE_DATA_DIR = dataDir;
    try {
      expect(await runCli(['start', 'onboarding', file], io)).toBe(2);
    } finally {
      if (before === undefined) delete process.env.OVERTURE_DATA_DIR;
      else process.env.OVERTURE_DATA_DIR = before;
    }
    expect(stderr.join('\n')).toContain(`(input): ${message}`);

    const config = loadConfig({ OVERTURE_DATA_DIR: dataDir });
    const refusal = (() => {
      try {
        prepareRunStart(config, findProcess('onboarding'), JSON.parse(hireWith(key)));
      } catch (err) {
        return err;
      }
    })();
    expect(refusal).toBeInstanceOf(InputError);
    expect((refusal as InputError).problems).toEqual([`(input): ${message}`]);
  });

  it("is refused in any body the console reads: a run's input, a decision's output", async () => {
    for (const [body, where] of [
      [`{"process":"onboarding","input":${hireWith(key)}}`, 'input'],
      [`{"step":"createAccount","action":"skip","output":{"${key}":"x"}}`, 'output'],
    ]) {
      const res = await fetch(consoleUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { problems: unknown }).problems).toEqual([`${where}: ${message}`]);
    }
  });

  it('is refused at any depth, inside lists too', () => {
    const nested = JSON.parse(`{"a":[{"b":{"${key}":1}}]}`) as unknown;
    const config = loadConfig({ OVERTURE_DATA_DIR: dataDir });
    expect(() => prepareRunStart(config, findProcess('onboarding'), nested)).toThrow(`a.0.b: ${message}`);
  });
});
