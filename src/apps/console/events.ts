/**
 * Server-Sent Events: the runs and counters every second, or one run's status with `?run=ID`.
 *
 * Streams share their polls: one poller for the runs list and one per watched run, each asking Temporal once a
 * second whatever the number of streams watching, fanning the same frame out to all of them, and stopping when
 * the last one goes away. Streams are bounded per operator: their newest replaces their oldest, which is told so
 * (`event: replaced`) and ended, so one operator's tabs or sessions never hold more than their share. In total,
 * a full console ends the oldest stream of the operator holding the most to make room for one holding fewer, and
 * refuses (503) only an operator who already holds as many as anyone. A stream whose client stops reading is ended
 * rather than buffered without bound.
 */
import type http from 'node:http';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { OvertureConfig } from '../../config/platform';
import { HttpError, SECURITY_HEADERS } from './http-helpers';
import { runDetail, runsAndCounters } from './runs';

const SSE_INTERVAL_MS = 1_000;
/** A stream with this much unsent output (its client stopped reading) is ended. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** The longest run id a stream may watch. */
const MAX_RUN_ID_CHARS = 500;

/** The bounds on open streams (CONSOLE_MAX_STREAMS, CONSOLE_MAX_STREAMS_PER_OPERATOR). */
export interface StreamLimits {
  total: number;
  perOperator: number;
}

/** The console's open streams; see {@link createEventStreams}. */
export interface EventStreams {
  /**
   * `GET /api/events`: streams until the client goes away, the stream is replaced, or {@link closeAll}. `owner`
   * is the operator whose streams count together (sessions and bearer calls alike); throws a 503 HttpError when the
   * console is full of streams of operators holding no more than `owner`.
   */
  open(req: http.IncomingMessage, res: http.ServerResponse, watch: { owner: string; runId?: string }): void;
  /** Open streams, and the polls that feed them. */
  stats(): { streams: number; pollers: number };
  /** Ends every open stream and stops every poll, so the server can close. */
  closeAll(): void;
}

interface Poller {
  subscribers: Set<http.ServerResponse>;
  /** The latest frame, sent at once to a stream that joins between two polls. */
  last?: Buffer;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

/** Event streams over shared polls, bounded by `limits`. */
export function createEventStreams(client: Client, config: OvertureConfig, limits: StreamLimits): EventStreams {
  const streams = new Map<http.ServerResponse, () => void>(); // stream → how it ends (its place freed)
  // Per operator, their streams oldest first.
  const byOwner = new Map<string, Set<http.ServerResponse>>();
  const pollers = new Map<string, Poller>();

  const send = (res: http.ServerResponse, frame: Buffer) => {
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      res.end(); // the client stopped reading; it reconnects when it catches up
      return;
    }
    res.write(frame);
  };

  /** Ends a stream to make room, telling its page why so it does not reconnect into the place it lost. */
  const replace = (res: http.ServerResponse, reason: string) => {
    streams.get(res)?.();
    res.end(`event: replaced\ndata: ${JSON.stringify({ reason })}\n\n`);
  };

  /** Makes room for one more stream of `owner`, or throws 503. */
  const makeRoomFor = (owner: string) => {
    const mine = byOwner.get(owner);
    if (mine && mine.size >= limits.perOperator) {
      const oldest = mine.values().next().value!;
      return replace(oldest, `Closed: you opened more than ${limits.perOperator} live streams (other tabs?); this was your oldest.`);
    }
    if (streams.size < limits.total) return;
    let heaviest: Set<http.ServerResponse> | undefined;
    for (const theirs of byOwner.values()) if (!heaviest || theirs.size > heaviest.size) heaviest = theirs;
    // Worth it only if the owner ends up holding no more than the one who gives a stream up.
    if (!heaviest || heaviest.size <= (mine?.size ?? 0) + 1)
      throw new HttpError(
        503,
        `the console already serves ${limits.total} event streams, its limit; try again later`,
        {},
        { 'Retry-After': '10' },
      );
    replace(
      heaviest.values().next().value!,
      'Closed to make room for other operators: the console serves a limited number of live streams.',
    );
  };

  const frameOf = async (runId: string | undefined): Promise<string> => {
    try {
      if (runId) return `event: run\ndata: ${JSON.stringify(await runDetail(client, config, runId))}\n\n`;
      return `event: runs\ndata: ${JSON.stringify(await runsAndCounters(client))}\n\n`;
    } catch (err) {
      // A failed poll is reported on the streams and retried; the page shows it instead of going stale.
      const notFound = err instanceof WorkflowNotFoundError;
      return `event: problem\ndata: ${JSON.stringify({ error: notFound ? 'run not found' : err instanceof Error ? err.message : String(err) })}\n\n`;
    }
  };

  const poll = async (poller: Poller, runId: string | undefined) => {
    // Encoded once: the same bytes go to every stream (a list frame is tens of KB, and there may be hundreds).
    const frame = Buffer.from(await frameOf(runId));
    if (poller.stopped) return;
    poller.last = frame;
    for (const res of poller.subscribers) send(res, frame);
    poller.timer = setTimeout(() => void poll(poller, runId), SSE_INTERVAL_MS);
  };

  const stop = (key: string, poller: Poller) => {
    poller.stopped = true;
    clearTimeout(poller.timer);
    if (pollers.get(key) === poller) pollers.delete(key);
  };

  const subscribe = (res: http.ServerResponse, runId: string | undefined): (() => void) => {
    const key = runId === undefined ? 'runs' : `run:${runId}`;
    let poller = pollers.get(key);
    if (!poller) {
      poller = { subscribers: new Set(), stopped: false };
      pollers.set(key, poller);
      void poll(poller, runId);
    } else if (poller.last) {
      send(res, poller.last);
    }
    poller.subscribers.add(res);
    const joined = poller;
    return () => {
      joined.subscribers.delete(res);
      if (joined.subscribers.size === 0) stop(key, joined);
    };
  };

  return {
    open(req, res, { owner, runId }) {
      if (runId !== undefined && runId.length > MAX_RUN_ID_CHARS)
        throw new HttpError(400, `run must be at most ${MAX_RUN_ID_CHARS} characters`);
      makeRoomFor(owner);
      // A stream is long-lived by design: no idle timeout on its socket (the caps bound how many there are).
      req.socket.setTimeout(0);
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'text/event-stream; charset=utf-8',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      const unsubscribe = subscribe(res, runId);
      let open = true;
      const close = () => {
        if (!open) return;
        open = false;
        unsubscribe();
        streams.delete(res);
        const mine = byOwner.get(owner);
        mine?.delete(res);
        if (mine?.size === 0) byOwner.delete(owner);
      };
      streams.set(res, close);
      const mine = byOwner.get(owner) ?? new Set();
      byOwner.set(owner, mine.add(res));
      req.on('close', close);
      res.on('close', close);
    },
    stats() {
      return { streams: streams.size, pollers: pollers.size };
    },
    closeAll() {
      for (const [key, poller] of pollers) stop(key, poller);
      for (const stream of streams.keys()) stream.end();
      streams.clear();
      byOwner.clear();
    },
  };
}
