/**
 * What a run waits for — a person, a person in a child run, an event, a time — kept beside the run's status, and
 * the notice a child run sends its parent when it starts and stops waiting for a person. A financial close whose
 * entity reconciliation (a fan-out's child run) asks a person then says so itself: its status names the child and
 * the question, and its search attributes (`OvertureNeedsAttention`, `OvertureWaitingFor`) let `overture list
 * --needs-attention` find it.
 *
 * Deterministic and replay-safe: a notice is a signal, recorded in both histories. Everything that adds commands
 * (the `OvertureWaitingFor` upserts, a notice sent, a notice forwarded) is decided by the `overture-run-waits` patch,
 * asked only where the new behaviour would differ: histories from before replay as they ran, and a run that never
 * waits has no marker.
 */
import { CancellationScope, defineSignal, getExternalWorkflowHandle, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { QuestionStatus, WaitInfo } from './types';

/** The patch of run waits: the `OvertureWaitingFor` attribute, a child's person wait on its parent, notices. */
export const RUN_WAITS_PATCH = 'overture-run-waits';

/** A person's wait as parents learn it: the run where the question is open, its step and id, and since when. */
export interface PersonWait {
  workflowId: string;
  step: string;
  question: string;
  since: string;
}

/**
 * A child run's notice to its parent: the person it waits for (in itself or in a child of its own), or none. `at`
 * (the sender's workflow clock) and `n` order one child's notices, across its runs too (a retried item is a new run
 * under the same id): an older notice arriving late changes nothing.
 */
export interface WaitNotice {
  from: string;
  at: number;
  n: number;
  wait?: PersonWait;
}

export const waitNoticeSignal = defineSignal<[WaitNotice]>('waitNotice');

/** Longest text kept from a notice (ids and a step name): a signal may come from any client with access. */
const NOTICE_TEXT = 300;

/** Whether a signal's payload is a notice: anything else is dropped. */
function isNotice(notice: unknown): notice is WaitNotice {
  const n = notice as Partial<WaitNotice> | undefined;
  if (typeof n?.from !== 'string' || typeof n.at !== 'number' || typeof n.n !== 'number') return false;
  if (n.wait === undefined) return true;
  const w = n.wait as Partial<PersonWait>;
  return [w.workflowId, w.step, w.question, w.since].every((v) => typeof v === 'string' && v.length <= NOTICE_TEXT);
}

const later = (a: { at: number; n: number }, b: { at: number; n: number }) => a.at > b.at || (a.at === b.at && a.n > b.n);

/**
 * Whether this run is an item of a kit fan-out, whose window workflow forwards notices to the process run that fanned
 * out (ids from ./fan-out.ts: the window is `<run>/<step>#<round>`, its items `<run>/<step>/<key>`). Other parents (a
 * schedule's start) are told nothing: they list nothing.
 */
function fanOutParent(): string | undefined {
  const { parent, workflowId } = workflowInfo();
  const window = parent?.workflowId.match(/^(.*)#\d+$/);
  return window && workflowId.startsWith(`${window[1]}/`) ? parent!.workflowId : undefined;
}

/** Sends a notice without letting a cancelled scope swallow it, and without failing the run if the parent is gone. */
function signalParent(parentId: string, notice: WaitNotice): void {
  void CancellationScope.nonCancellable(() => getExternalWorkflowHandle(parentId).signal(waitNoticeSignal, notice)).catch(() => undefined);
}

/** A run's waits: event and time waits by step, its children's person waits, and what it last told its parent. */
export class RunWaits {
  private readonly byStep = new Map<string, WaitInfo>();
  /** The newest notice of each child (a cleared one is kept, so that an older notice arriving late is ignored). */
  private readonly children = new Map<string, WaitNotice>();
  /** Children that wait for a person now: the few scanned on each change. */
  private readonly waitingChildren = new Set<string>();
  private patchedOn = false;
  private told = JSON.stringify(null);
  private notices = 0;

  constructor(private readonly workflowId: string) {}

  /** Registers the handler of children's notices; `changed` publishes what the run now waits for. */
  listen(changed: () => void): void {
    setHandler(waitNoticeSignal, (notice) => {
      if (this.childNotice(notice)) changed();
    });
  }

  /** A step begins to wait for an event or a time (or the time moved). */
  stepWaits(step: string, wait: Omit<WaitInfo, 'step'>): void {
    this.byStep.set(step, { ...wait, step });
  }

  /** A time wait moved (a reschedule): it now ends at `until`. */
  moved(step: string, until: string): void {
    const wait = this.byStep.get(step);
    if (wait) wait.until = until;
  }

  /** The step's event or time wait is over. */
  stepDone(step: string): void {
    this.byStep.delete(step);
  }

  /** Records a child's notice; true when what the run waits for may have changed. */
  childNotice(notice: unknown): boolean {
    if (!isNotice(notice) || !notice.from.startsWith(`${this.workflowId}/`) || notice.from.length > NOTICE_TEXT) return false;
    const known = this.children.get(notice.from);
    if (known && !later(notice, known)) return false;
    this.children.set(notice.from, notice);
    if (notice.wait) this.waitingChildren.add(notice.from);
    else this.waitingChildren.delete(notice.from);
    return true;
  }

  /** Children under `prefix` have all ended (their fan-out returned): none of them waits any more. */
  childrenEnded(prefix: string): boolean {
    const ended = [...this.waitingChildren].filter((id) => id.startsWith(prefix));
    for (const from of ended) this.childNotice({ from, at: Date.now(), n: Number.MAX_SAFE_INTEGER });
    return ended.length > 0;
  }

  /** The oldest person wait among the children. */
  private childPersonWait(): { from: string; wait: PersonWait } | undefined {
    let oldest: { from: string; wait: PersonWait } | undefined;
    for (const from of this.waitingChildren) {
      const wait = this.children.get(from)?.wait;
      if (wait && (!oldest || wait.since < oldest.wait.since)) oldest = { from, wait };
    }
    return oldest;
  }

  /** What the run waits for now: its own question (an escalation first), a child's person, an event, a time. */
  current(questions: QuestionStatus[]): WaitInfo | undefined {
    const open = questions.filter((q) => q.open);
    const asked = open.find((q) => q.kind === 'escalation') ?? open[0];
    if (asked) return { kind: 'person', step: asked.step, question: asked.id, since: asked.openedAt };
    const child = this.childPersonWait();
    if (child) {
      const step = child.from.slice(this.workflowId.length + 1).split('/')[0];
      const { question, workflowId, since } = child.wait;
      return { kind: 'child', ...(step ? { step } : {}), question, childWorkflowId: workflowId, since };
    }
    const waits = [...this.byStep.values()];
    return waits.find((w) => w.kind === 'event') ?? waits[0];
  }

  /**
   * Whether the run may add the commands of run waits. Asked only where they would change something: a replayed
   * history from before them says no there, and keeps saying no until it runs live again.
   */
  enabled(): boolean {
    this.patchedOn ||= patched(RUN_WAITS_PATCH);
    return this.patchedOn;
  }

  /** Whether the run has started using run waits (then it keeps its `OvertureWaitingFor` current, empty included). */
  get started(): boolean {
    return this.patchedOn;
  }

  /** Tells the parent (a fan-out's window, which forwards it) when the person this run waits for changes. */
  tellParent(wait: WaitInfo | undefined): void {
    const person: PersonWait | undefined =
      wait?.kind === 'person'
        ? { workflowId: this.workflowId, step: wait.step!, question: wait.question!, since: wait.since! }
        : wait?.kind === 'child'
          ? { workflowId: wait.childWorkflowId!, step: wait.step ?? '', question: wait.question!, since: wait.since! }
          : undefined;
    const told = JSON.stringify(person ?? null);
    if (told === this.told) return;
    const parent = fanOutParent();
    if (!parent || !this.enabled()) return;
    this.told = told;
    this.notices += 1;
    signalParent(parent, { from: this.workflowId, at: Date.now(), n: this.notices, ...(person ? { wait: person } : {}) });
  }
}

/**
 * The fan-out window's part: forwards its items' notices to the process run that fanned out, and clears an item that
 * ended while it still waited (terminated, or cancelled before it could say so).
 */
export class NoticeRelay {
  private readonly waiting = new Set<string>();

  /** Registers the forwarding handler. */
  listen(): void {
    setHandler(waitNoticeSignal, (notice) => {
      if (!isNotice(notice)) return;
      if (notice.wait) this.waiting.add(notice.from);
      else this.waiting.delete(notice.from);
      this.forward(notice);
    });
  }

  /** The item's run ended: if it last said it waited for a person, the parent hears that it no longer does. */
  ended(itemWorkflowId: string): void {
    if (!this.waiting.delete(itemWorkflowId)) return;
    this.forward({ from: itemWorkflowId, at: Date.now(), n: Number.MAX_SAFE_INTEGER });
  }

  private forward(notice: WaitNotice): void {
    const parent = workflowInfo().parent;
    if (parent && patched(RUN_WAITS_PATCH)) signalParent(parent.workflowId, notice);
  }
}
