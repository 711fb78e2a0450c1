/**
 * What every send through a downstream system (email, chat) does around its side effect: refuse a step's send
 * while an operator has paused the system (pause-scope.ts), and report its transient failures and its successes
 * to the shared health store, which turns a lasting failure into one "degraded" alert per outage and its end into
 * one "recovered" note.
 *
 * Alerts go by a channel that does not depend on the failing system (email down: the team chat; chat down: an
 * email to the escalation contacts), and always to the worker's log. They name the system, never a run's people.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Channel, DeliverOptions, Delivery, DeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { TransientError } from './errors';
import type { Outage, SystemHealthRecords } from '../../src/stores/system-health/sqlite-health';
import { SYSTEM_PAUSED, type SystemName, type SystemPausedDetails } from '../../workflows/kit/types';
import { inPausableStep } from './pause-scope';
import { redactPersonalData } from './step-attempt';
import { activityLog } from './log';

/** How an alert about one system reaches the operators without that system. */
export type AlertChannel = (key: string, subject: string, text: string) => Promise<void>;

export interface SystemGuardOptions {
  store: SystemHealthRecords;
  /** How long a system fails, without a success, before it is reported as degraded. */
  alertAfterMs: number;
  /** Per failing system: the channel its alerts go by (email → chat, chat → email). */
  alertBy: Partial<Record<SystemName, AlertChannel>>;
  log?: (line: string) => void;
}

/** "5 min 3 s", "47 s": how long an outage lasted, for people. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

/** The text of the "degraded" alert: the system, since when, how many tries failed, the last error (no personal data). */
export function degradedText(outage: Outage, now: number): string {
  return [
    `[Overture] ${outage.system} is degraded: every send has failed for ${formatDuration(now - outage.startedAt)} (${outage.failures} failed attempts since ${new Date(outage.startedAt).toISOString()}).`,
    `Last error: ${redactPersonalData(outage.lastError)}`,
    'The steps keep retrying within their retry budget; no run is escalated for this meanwhile. One note follows when it recovers.',
    `To hold the sends instead: overture systems pause ${outage.system} --reason "..."`,
  ].join('\n');
}

/** The text of the "recovered" note: how long the outage lasted and how many attempts failed. */
export function recoveredText(outage: Outage): string {
  const ended = outage.endedAt ?? Date.now();
  return `[Overture] ${outage.system} has recovered after ${formatDuration(ended - outage.startedAt)}: ${outage.failures} attempts failed meanwhile. The waiting steps continue by themselves.`;
}

/** The workflow of the current activity, if there is one. */
function currentWorkflowId(): string | undefined {
  try {
    return Context.current().info.workflowExecution?.workflowId;
  } catch {
    return undefined;
  }
}

function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/** Pause checks and health reports around the sends of one worker. */
export class SystemGuard {
  private readonly log: (line: string) => void;

  constructor(private readonly opts: SystemGuardOptions) {
    // Warnings about a system, on the sending activity's log line (its run, process and step) when there is one.
    this.log =
      opts.log ??
      ((line) => {
        activityLog().warn(line);
      });
  }

  /** Runs a send through `system`: a step's send is refused while it is paused; its outcome goes to the health store. */
  async run<T>(system: SystemName, send: () => Promise<T>): Promise<T> {
    const result = await this.send(system, send);
    await this.reportSuccess(system);
    return result;
  }

  /** The send with its pause check and failure report, but not its success report: see {@link deliverGuarded}. */
  async send<T>(system: SystemName, send: () => Promise<T>): Promise<T> {
    await this.refuseIfPaused(system);
    try {
      return await send();
    } catch (err) {
      if (err instanceof TransientError) await this.failed(system, err.message);
      throw err;
    }
  }

  /** Throws the non-retryable SystemPaused failure the kit's step waits on, before anything is sent. */
  private async refuseIfPaused(system: SystemName): Promise<void> {
    if (!inPausableStep()) return;
    const pause = await this.opts.store.pauseOf(system);
    if (!pause) return;
    const workflowId = currentWorkflowId();
    if (workflowId) await this.opts.store.noteRefusedRun(system, workflowId);
    const details: SystemPausedDetails = {
      attempt: currentAttempt(),
      injected: false,
      system,
      pausedBy: pause.pausedBy,
      ...(pause.reason ? { reason: pause.reason } : {}),
    };
    throw ApplicationFailure.create({
      type: SYSTEM_PAUSED,
      message: `${system} paused by ${pause.pausedBy}${pause.reason ? `: ${pause.reason}` : ''}`,
      nonRetryable: true,
      details: [details],
    });
  }

  private async failed(system: SystemName, error: string): Promise<void> {
    let report;
    try {
      // The store's clock (on PostgreSQL the database's): hosts whose clocks disagree agree on the outage's age.
      report = await this.opts.store.recordFailure(system, redactPersonalData(error), this.opts.alertAfterMs);
    } catch (err) {
      // The health record is a help, never a reason for a send to fail differently.
      this.log(`[overture] could not record a failure of ${system}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (!report.claimed) return;
    const { outage } = report;
    const text = degradedText(outage, outage.lastFailureAt);
    this.log(text);
    try {
      await this.alert(system, `outage/${system}/${outage.startedAt}-${outage.id}/degraded`, `[Overture] ${system} is degraded`, text);
    } catch (err) {
      // Give the claim back: the next failure report (on any worker) tries the alert again; the ledger keeps it single.
      this.log(
        `[overture] the ${system} degraded alert could not be delivered (will try again): ${err instanceof Error ? err.message : String(err)}`,
      );
      await Promise.resolve(this.opts.store.releaseAlert(outage.id)).catch((releaseErr: unknown) =>
        this.log(
          `[overture] could not release the ${system} alert claim: ${releaseErr instanceof Error ? releaseErr.message : String(releaseErr)}`,
        ),
      );
    }
  }

  /** Reports a send that went through: the first one after an outage ends it and sends the one recovery note. */
  async reportSuccess(system: SystemName): Promise<void> {
    let ended: Outage | undefined;
    try {
      ended = await this.opts.store.recordSuccess(system);
    } catch (err) {
      this.log(`[overture] could not record a success of ${system}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (!ended) return;
    const text = recoveredText(ended);
    this.log(text);
    try {
      await this.alert(system, `outage/${system}/${ended.startedAt}-${ended.id}/recovered`, `[Overture] ${system} has recovered`, text);
    } catch (err) {
      this.log(`[overture] the ${system} recovery note could not be delivered: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async alert(system: SystemName, key: string, subject: string, text: string): Promise<void> {
    const channel = this.opts.alertBy[system];
    if (channel) await channel(key, subject, text);
  }
}

/**
 * Delivers a message once through the ledger, the send guarded when there is a guard (workers have one; unit tests
 * of one activity may not): the pause check and failure reports happen inside the ledger's claim, the success report
 * only after the receipt is written. Between the relay's answer and the receipt, a SIGKILL makes the retry send
 * again, so nothing else may wait there: the health record can be a shared database that is busy under load.
 */
export async function deliverGuarded(
  ledger: DeliveryLedger,
  guard: SystemGuard | undefined,
  system: SystemName,
  delivery: { key: string; channel: Channel; options: DeliverOptions },
  send: () => Promise<string>,
): Promise<Delivery> {
  const done = await ledger.deliverOnce(
    delivery.key,
    delivery.channel,
    () => (guard ? guard.send(system, send) : send()),
    delivery.options,
  );
  if (guard && !done.alreadyDelivered) await guard.reportSuccess(system);
  return done;
}
