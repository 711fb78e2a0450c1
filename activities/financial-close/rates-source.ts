/**
 * The month's exchange rates from their publisher: a JSON document read from a file or fetched over HTTP(S).
 *
 * Every failure here is transient, even a malformed document or last month's rates: the publisher may fix
 * it within the retry window, and when it does not, the close falls back to the last published rates.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PermanentError, TransientError } from '../kit/errors';
import { OutboundTimeoutError, readBodyText, requestOutbound } from '../kit/outbound-request';

/** A month's rates are a few kilobytes: a document past this is not one. */
const RATES_MAX_BYTES = 1024 * 1024;

export interface PublishedRates {
  period: string;
  publishedAt: string;
  base: string;
  rates: Record<string, number>;
}

const ratesSchema = z.object({
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  publishedAt: z.iso.datetime({ offset: true }),
  base: z.string().regex(/^[A-Z]{3}$/),
  rates: z.record(z.string().regex(/^[A-Z]{3}$/), z.number().positive()),
});

/** The source as it may appear in a message: a URL loses its query string, which may carry an API key. */
export function describeSource(source: string): string {
  if (!/^https?:\/\//i.test(source)) return source;
  try {
    const url = new URL(source);
    return `${url.origin}${url.pathname}`;
  } catch {
    return 'the rates URL';
  }
}

async function readSource(source: string, timeoutMs: number): Promise<string> {
  const where = describeSource(source);
  if (!/^https?:\/\//i.test(source)) {
    try {
      return await readFile(source, 'utf8');
    } catch (err) {
      throw new TransientError(`exchange rates ${where} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unknown error'})`);
    }
  }
  try {
    // The operator configured this URL: its origin is allowed wherever it is, and nothing else (a redirect elsewhere is refused).
    const url = new URL(source);
    const response = await requestOutbound(
      url,
      { allowedHosts: [], trustedOrigins: [url.origin] },
      {
        who: 'the financial close',
        headers: { accept: 'application/json' },
        maxRedirects: 3,
        timeoutMs,
        maxBytes: RATES_MAX_BYTES,
      },
    );
    if (response.status < 200 || response.status >= 300) {
      response.discard();
      return Promise.reject(new TransientError(`exchange rates ${where} answered HTTP ${response.status}`));
    }
    return await readBodyText(response);
  } catch (err) {
    if (err instanceof OutboundTimeoutError) throw new TransientError(`exchange rates ${where}: no answer within ${timeoutMs} ms`);
    if (err instanceof TransientError) throw err;
    // A refused redirect or an oversized document: said as it is, and transient like every failure here.
    throw new TransientError(`exchange rates ${where}: ${err instanceof PermanentError ? err.message : 'unreachable'}`);
  }
}

/** Reads the rates published for the period; anything else (unreachable, malformed, another period) is a TransientError. */
export async function fetchPublishedRates(source: string, period: string, timeoutMs = 10_000): Promise<PublishedRates> {
  const where = describeSource(source);
  const text = await readSource(source, timeoutMs);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TransientError(`exchange rates ${where} are not valid JSON`);
  }
  const parsed = ratesSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(document)'))];
    throw new TransientError(`exchange rates ${where} are malformed (${fields.join(', ')})`);
  }
  if (parsed.data.period !== period) {
    throw new TransientError(
      `exchange rates ${where} are for ${parsed.data.period}, not ${period}: the ${period} rates are not published yet`,
    );
  }
  return parsed.data;
}
