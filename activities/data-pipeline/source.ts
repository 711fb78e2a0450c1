/**
 * The pipeline's source systems: the inbox folder files are dropped into, and http(s) URLs on the hosts allowed
 * for the batch's dataset. `extractSource` copies the batch's source into the run's staging folder through a
 * partial file, so a step that dies halfway leaves nothing a later step could mistake for the whole file. Both
 * are bounded (./source-limits.ts); a URL is fetched through the outbound address policy, each redirect vetted.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Context } from '@temporalio/activity';
import { STAGED } from './staging-files';
import type { PipelineSource } from '../../workflows/data-pipeline/types';
import { currentRunDir } from './staging';
import { stepActivity, PermanentError, TransientError } from '../kit/step-attempt';
import { byteLimit } from '../kit/byte-limit';
import { describeRefusal } from '../kit/outbound-policy';
import { OutboundRefusedError, requestOutbound, type OutboundResponse } from '../kit/outbound-request';
import { openInboxFile } from './inbox-file';
import { sourcePolicy } from './source-hosts';
import { SOURCE_LIMITS, type SourceLimits } from './source-limits';

export interface PipelineSourceDependencies {
  inboxDir: string;
  stagingDir: string;
  /** The hosts each dataset's URL sources may be on (none: no URL is fetched). */
  sourceHosts?: Readonly<Record<string, readonly string[]>>;
  /** Bounds on a source; the defaults of ./source-limits.ts where absent. */
  limits?: Partial<SourceLimits>;
  /** Resolves host names (the system resolver unless a test gives another). */
  resolve?: (hostname: string) => Promise<string[]>;
}

const WHO = 'the data pipeline';
const MAX_REDIRECTS = 3;

/** HTTP 408, 429 and 5xx may pass on a later try; any other 4xx will not (a wrong URL, no access). */
export function classifySourceStatus(status: number): Error {
  if (status === 408 || status === 429 || status >= 500) return new TransientError(`the source answered HTTP ${status}`);
  return new PermanentError(`the source refused the request with HTTP ${status}`);
}

/** A pass-through that heartbeats the bytes copied so far. */
function progress(): Transform {
  const ctx = Context.current();
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      ctx.heartbeat({ bytes });
      done(null, chunk);
    },
  });
}

/** The hosts a batch's URL may be on: its dataset's (a run started before the dataset was passed: any dataset's). */
function hostsFor(deps: PipelineSourceDependencies, dataset: string | undefined): string[] {
  const byDataset = deps.sourceHosts ?? {};
  return dataset === undefined ? Object.values(byDataset).flat() : [...(byDataset[dataset] ?? [])];
}

/** A refused source in words: the host only (a URL's path and query may carry a signature), and how to allow it. */
function refusedSource(err: OutboundRefusedError, dataset: string | undefined): PermanentError {
  const where = err.hop === 0 ? `the source is on ${err.url.host}` : `the source redirects to ${err.url.host}`;
  const hint = err.refusal.kind === 'not-allowed' ? `; allow it with PIPELINE_SOURCE_HOSTS=${dataset ?? '<dataset>'}=${err.url.host}` : '';
  return new PermanentError(`${where}, which ${WHO} does not fetch: ${describeRefusal(err.refusal, WHO)}${hint}`);
}

/** Streams an http(s) URL into a file within the policy and the limits; the URL stays out of every message. */
async function download(url: URL, file: string, deps: PipelineSourceDependencies, dataset: string | undefined, limits: SourceLimits) {
  let response: OutboundResponse;
  try {
    response = await requestOutbound(url, sourcePolicy(hostsFor(deps, dataset), deps.resolve), {
      who: WHO,
      headers: { accept: 'text/csv, text/plain;q=0.9, */*;q=0.1' },
      maxRedirects: MAX_REDIRECTS,
      timeoutMs: limits.downloadTimeoutMs,
      idleTimeoutMs: limits.idleTimeoutMs,
      maxBytes: limits.maxBytes,
    });
  } catch (err) {
    if (err instanceof OutboundRefusedError) throw refusedSource(err, dataset);
    if (err instanceof PermanentError || err instanceof TransientError) throw err;
    throw new TransientError(`the source is unreachable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (response.status < 200 || response.status >= 300) {
    // Nothing of a refusal is read: not its body, not its headers.
    response.discard();
    throw classifySourceStatus(response.status);
  }
  try {
    await pipeline(response.body, progress(), createWriteStream(file));
  } catch (err) {
    if (err instanceof PermanentError || err instanceof TransientError) throw err;
    throw new TransientError(`the source stopped sending: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Copies an inbox file that is a regular file of at most `maxBytes` (it may not grow past them while copied). */
async function copyInboxFile(deps: PipelineSourceDependencies, name: string, file: string, maxBytes: number): Promise<void> {
  const { handle } = await openInboxFile(deps.inboxDir, name, maxBytes);
  const tooLarge = () => new PermanentError(`${name} grew past the ${maxBytes} bytes a source file may be while it was copied`);
  await pipeline(handle.createReadStream(), byteLimit(maxBytes, tooLarge), progress(), createWriteStream(file));
}

/** Source activities bound to the inbox, the staging folder and the hosts URL sources may be on. */
export function createPipelineSourceActivities(deps: PipelineSourceDependencies) {
  const limits: SourceLimits = { ...SOURCE_LIMITS, ...deps.limits };
  return {
    /** Copies the batch's source (an inbox file or a URL) to `<run staging>/source.csv`. */
    extractSource: stepActivity(async (input: { source: PipelineSource; dataset?: string }) => {
      const runDir = currentRunDir(deps.stagingDir);
      await mkdir(runDir, { recursive: true });
      const target = path.join(runDir, STAGED.source);
      const partial = `${target}.partial`;
      if ('inboxFile' in input.source) {
        await copyInboxFile(deps, input.source.inboxFile, partial, limits.maxBytes);
      } else {
        let url: URL;
        try {
          url = new URL(input.source.url);
        } catch {
          throw new PermanentError('the source URL is not a URL');
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PermanentError('a source URL must be http(s)');
        await download(url, partial, deps, input.dataset, limits);
      }
      await rename(partial, target);
      return { runDir, sourceFile: target, bytes: (await stat(target)).size };
    }),
  };
}

export type PipelineSourceActivities = ReturnType<typeof createPipelineSourceActivities>;
