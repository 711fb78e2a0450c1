/** Server-Sent Events: the runs and counters every second, or one run's status with `?run=ID`. */
import type http from 'node:http';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { OvertureConfig } from '../config';
import { SECURITY_HEADERS } from './http-helpers';
import { runDetail, runsAndCounters } from './runs';

const SSE_INTERVAL_MS = 1_000;

/** The console's open streams; see {@link createEventStreams}. */
export interface EventStreams {
  /** `GET /api/events`: streams until the client goes away or {@link closeAll}. */
  open(req: http.IncomingMessage, res: http.ServerResponse, runId?: string): void;
  /** Ends every open stream, so the server can close. */
  closeAll(): void;
}

/** Event streams that poll Temporal once a second per open stream. */
export function createEventStreams(client: Client, config: OvertureConfig): EventStreams {
  const streams = new Set<http.ServerResponse>();
  return {
    open(req, res, runId) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.write('retry: 2000\n\n');
      streams.add(res);
      let open = true;
      const close = () => {
        open = false;
        streams.delete(res);
      };
      req.on('close', close);
      res.on('close', close);
      const loop = async () => {
        while (open) {
          try {
            if (runId) res.write(`event: run\ndata: ${JSON.stringify(await runDetail(client, config, runId))}\n\n`);
            else res.write(`event: runs\ndata: ${JSON.stringify(await runsAndCounters(client))}\n\n`);
          } catch (err) {
            if (!open) break;
            // A failed poll is reported on the stream and retried; the page shows it instead of going stale.
            const notFound = err instanceof WorkflowNotFoundError;
            res.write(`event: problem\ndata: ${JSON.stringify({ error: notFound ? 'run not found' : err instanceof Error ? err.message : String(err) })}\n\n`);
          }
          await new Promise((r) => setTimeout(r, SSE_INTERVAL_MS));
        }
      };
      void loop();
    },
    closeAll() {
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}
