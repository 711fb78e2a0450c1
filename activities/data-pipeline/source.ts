/**
 * The pipeline's source systems: the inbox folder files are dropped into, and http(s) URLs. `extractSource`
 * copies the batch's source into the run's staging folder through a partial file, so a step that dies halfway
 * leaves nothing a later step could mistake for the whole file.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Context } from '@temporalio/activity';
import { resolveInboxFile, STAGED } from './staging-files';
import type { PipelineSource } from '../../workflows/data-pipeline/types';
import { currentRunDir } from './staging';
import { stepActivity, PermanentError, TransientError } from '../kit/step-attempt';

export interface PipelineSourceDependencies {
  inboxDir: string;
  stagingDir: string;
  /** Longest silence from a URL source (before its answer, or between two chunks of its body). */
  idleTimeoutMs?: number;
}

/** HTTP 408, 429 and 5xx may pass on a later try; any other 4xx will not (a wrong URL, no access). */
export function classifySourceStatus(status: number): Error {
  if (status === 408 || status === 429 || status >= 500) return new TransientError(`the source answered HTTP ${status}`);
  return new PermanentError(`the source refused the request with HTTP ${status}`);
}

/** A pass-through that heartbeats the bytes copied so far and re-arms an idle timer on each chunk. */
function progress(onChunk: () => void): { meter: Transform; bytes: () => number } {
  const ctx = Context.current();
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      onChunk();
      ctx.heartbeat({ bytes });
      done(null, chunk);
    },
  });
  return { meter, bytes: () => bytes };
}

/** Streams an http(s) URL into a file; an idle source is aborted (transient), and the URL stays out of every message. */
async function download(url: string, file: string, idleTimeoutMs: number): Promise<void> {
  const abort = new AbortController();
  let timer = setTimeout(() => abort.abort(), idleTimeoutMs);
  const rearm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => abort.abort(), idleTimeoutMs);
  };
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: abort.signal });
    } catch (err) {
      throw new TransientError(`the source is unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw response.ok ? new TransientError('the source answered without a body') : classifySourceStatus(response.status);
    }
    const { meter } = progress(rearm);
    try {
      await pipeline(Readable.fromWeb(response.body), meter, createWriteStream(file));
    } catch (err) {
      throw new TransientError(`the source stopped sending: ${err instanceof Error ? err.message : String(err)}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Source activities bound to the inbox and the staging folder. */
export function createPipelineSourceActivities(deps: PipelineSourceDependencies) {
  return {
    /** Copies the batch's source (an inbox file or a URL) to `<run staging>/source.csv`. */
    extractSource: stepActivity(async (input: { source: PipelineSource }) => {
      const runDir = currentRunDir(deps.stagingDir);
      await mkdir(runDir, { recursive: true });
      const target = path.join(runDir, STAGED.source);
      const partial = `${target}.partial`;
      if ('inboxFile' in input.source) {
        const file = await resolveInboxFile(deps.inboxDir, input.source.inboxFile);
        await pipeline(createReadStream(file), progress(() => undefined).meter, createWriteStream(partial));
      } else {
        if (!/^https?:\/\//i.test(input.source.url)) throw new PermanentError('a source URL must be http(s)');
        await download(input.source.url, partial, deps.idleTimeoutMs ?? 30_000);
      }
      await rename(partial, target);
      return { runDir, sourceFile: target, bytes: (await stat(target)).size };
    }),
  };
}

export type PipelineSourceActivities = ReturnType<typeof createPipelineSourceActivities>;
