/**
 * Waiting for an event: a signal from another system that matches a predicate, with a durable timeout.
 * Events that arrive before anyone waits for them are kept, so an early event is never lost.
 */
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

/** An event delivered to a run: its type, an id (the same id is taken once) and its data. */
export interface ProcessEvent {
  type: string;
  id: string;
  data: Record<string, unknown>;
}

export const eventSignal = defineSignal<[ProcessEvent]>('event');

/** Most events a run keeps; beyond that the oldest unclaimed ones are dropped (and counted). */
const INBOX_LIMIT = 200;

/** A run's inbox of events: filled by the signal handler, drained by {@link EventInbox.waitFor}. */
export class EventInbox {
  private readonly pending: ProcessEvent[] = [];
  private readonly seen = new Set<string>();
  dropped = 0;

  /** Registers the `event` signal handler. */
  listen(onEvent?: (event: ProcessEvent) => void): void {
    setHandler(eventSignal, (event) => {
      if (typeof event?.type !== 'string' || typeof event.id !== 'string' || this.seen.has(event.id)) return;
      this.seen.add(event.id);
      this.pending.push(event);
      if (this.pending.length > INBOX_LIMIT) {
        this.pending.shift();
        this.dropped += 1;
      }
      onEvent?.(event);
    });
  }

  /** Waits for an event of the type that matches; undefined when the timeout passes first. */
  async waitFor(type: string, matches: (event: ProcessEvent) => boolean, timeoutMs: number): Promise<ProcessEvent | undefined> {
    const find = () => this.pending.findIndex((e) => e.type === type && matches(e));
    const arrived = await condition(() => find() >= 0, timeoutMs);
    if (!arrived) return undefined;
    return this.pending.splice(find(), 1)[0];
  }
}
