/**
 * The codec endpoint: `POST /codec/decode` and `POST /codec/encode`, the Temporal UI's remote codec protocol
 * (`{ "payloads": [{ "metadata": { key: base64 }, "data": base64 }] }`, `X-Namespace` header), so the UI (and
 * `temporal --codec-endpoint`) shows decrypted run data, to signed-in operators only.
 *
 * Who may call: a console session (its cookie) or an operator token (`Authorization: Bearer`), as for /api;
 * anyone else gets 401 and nothing decoded. From the browser the UI is another origin, so:
 * - CORS answers only the configured UI origins (OVERTURE_CODEC_UI_ORIGINS; default the dev server's UI), each
 *   exactly, with `Access-Control-Allow-Credentials: true` (never `*`, which credentials forbid anyway). The
 *   preflight (OPTIONS) is answered for them only; another origin gets a 403 without CORS headers.
 * - The cookie: the UI sends it only with "include cross-origin credentials" on (UI 2.42 reads that from its
 *   server config, which `temporal server start-dev --ui-codec-endpoint` leaves off, or from the browser's codec
 *   setting). The session cookie is `SameSite=Strict`, and Strict still travels on a cross-origin request within
 *   the same *site*: ports do not count, so http://127.0.0.1:8233 (UI) → http://127.0.0.1:4000 (console) carries
 *   it, while localhost:8233 → 127.0.0.1:4000 is cross-site and does not. So the UI and the console must be opened
 *   under the same host name (npm start prints both as 127.0.0.1); SameSite=None is not needed (and would need
 *   Secure, i.e. HTTPS, and would send the cookie from every site).
 * - No CSRF token is asked (the UI cannot send one): decoding and encoding change nothing, a body must be
 *   `application/json` (which a cross-origin page cannot send without a preflight this endpoint refuses), and
 *   only the allowed origins may read an answer.
 */
import type http from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { OvertureConfig } from '../../config/platform';
import type { OperatorRole } from '../../../workflows/kit/types';
import { HttpError, json } from './http-helpers';
import { requireCallerRole, type Sessions } from './session';
import { isLoopbackHost } from './startup-checks';

/** A UI page of a long history decodes many payloads at once: more room than the API's 64 KiB bodies. */
const MAX_CODEC_BODY_BYTES = 4 * 1024 * 1024;
const MAX_PAYLOADS = 10_000;
const PREFLIGHT_MAX_AGE_S = 600;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);
/** The least role that may see decrypted run data. */
const CODEC_ROLE: OperatorRole = 'viewer';

/**
 * The endpoint the Temporal UI is pointed at (`--ui-codec-endpoint`): the console's `/codec`, under the host name
 * the UI is opened with (127.0.0.1 for a loopback or wildcard console), so the session cookie is same-site.
 */
export function uiCodecEndpoint(config: OvertureConfig): string {
  const host = WILDCARD_HOSTS.has(config.CONSOLE_HOST) || isLoopbackHost(config.CONSOLE_HOST) ? '127.0.0.1' : config.CONSOLE_HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.CONSOLE_PORT}/codec`;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fromBase64(value: unknown, where: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new HttpError(400, `${where} must be base64`);
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/** The request's payloads, from the protocol's JSON (base64 metadata values and data). */
export function payloadsFromJson(body: unknown): Payload[] {
  const list = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(list)) throw new HttpError(400, 'expected { "payloads": [...] }');
  if (list.length > MAX_PAYLOADS) throw new HttpError(413, `at most ${MAX_PAYLOADS} payloads per request`);
  return list.map((p: unknown, i) => {
    if (typeof p !== 'object' || p === null) throw new HttpError(400, `payloads[${i}] must be an object`);
    const { metadata = {}, data = '' } = p as JsonPayload;
    if (typeof metadata !== 'object' || metadata === null) throw new HttpError(400, `payloads[${i}].metadata must be an object`);
    return {
      metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, fromBase64(v, `payloads[${i}].metadata.${k}`)])),
      data: fromBase64(data, `payloads[${i}].data`),
    };
  });
}

/** The protocol's JSON of payloads. */
export function payloadsToJson(payloads: Payload[]): { payloads: JsonPayload[] } {
  const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
      data: b64(p.data),
    })),
  };
}

function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new HttpError(413, `request body too large: at most ${MAX_CODEC_BODY_BYTES} bytes`, {}, { Connection: 'close' });
    if (Number(req.headers['content-length'] ?? 0) > MAX_CODEC_BODY_BYTES) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_CODEC_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        return reject(tooLarge());
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'the body must be JSON')); // never echoed: it may be run data
      }
    });
  });
}

export interface CodecEndpointOptions {
  /** The configured codec; undefined when payload encryption is off (the endpoint then answers 404). */
  codec: PayloadCodec | undefined;
  config: Pick<OvertureConfig, 'TEMPORAL_NAMESPACE' | 'codecUiOrigins'>;
  sessions: Pick<Sessions, 'authenticate'>;
  log: (line: string) => void;
}

/** The `/codec/*` handler of the console; see the module comment for who may call it and why. */
export function createCodecEndpoint(opts: CodecEndpointOptions) {
  const uiOrigins = new Set(opts.config.codecUiOrigins);
  return async function handleCodec(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      // A browser on another origin: only the UI's may call, and only they get CORS headers back.
      if (!uiOrigins.has(origin)) throw new HttpError(403, 'this origin may not use the codec endpoint (OVERTURE_CODEC_UI_ORIGINS)');
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      if (origin === undefined) throw new HttpError(400, 'a preflight needs an Origin');
      const headers: Record<string, string> = {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization, Authorization-Extras',
        'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
      };
      if (req.headers['access-control-request-private-network'] === 'true') headers['Access-Control-Allow-Private-Network'] = 'true';
      res.writeHead(204, headers).end();
      return;
    }
    const action = /^\/codec\/(encode|decode)$/.exec(url.pathname)?.[1];
    if (!action) throw new HttpError(404, 'not found: POST /codec/decode or /codec/encode');
    if (req.method !== 'POST') throw new HttpError(405, 'method not allowed: POST', {}, { Allow: 'POST, OPTIONS' });
    const caller = await opts.sessions.authenticate(req);
    if (!caller) {
      req.resume();
      return json(
        res,
        401,
        {
          error:
            'sign in to the console first (its session cookie, sent by the UI with "include cross-origin credentials"), or Authorization: Bearer <token>',
        },
        { 'WWW-Authenticate': 'Bearer realm="overture"' },
      );
    }
    requireCallerRole(caller, CODEC_ROLE, 'seeing decrypted run data');
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'the body must be application/json');
    const namespace = req.headers['x-namespace'];
    if (typeof namespace === 'string' && namespace !== '' && namespace !== opts.config.TEMPORAL_NAMESPACE) {
      throw new HttpError(403, `this codec serves namespace ${opts.config.TEMPORAL_NAMESPACE} only`);
    }
    if (!opts.codec) throw new HttpError(404, 'payload encryption is off (OVERTURE_PAYLOAD_ENCRYPTION=off): nothing to decode');
    const payloads = payloadsFromJson(await readJsonBody(req));
    try {
      const converted = action === 'decode' ? await opts.codec.decode(payloads) : await opts.codec.encode(payloads);
      json(res, 200, payloadsToJson(converted));
    } catch (e) {
      // The message names a key id or says the data was altered; never a payload.
      opts.log(`codec ${action} for ${caller.operator} failed: ${(e as Error).message}`);
      throw new HttpError(400, `cannot ${action}: ${(e as Error).message}`);
    }
  };
}
