/**
 * The run's own record of where it is: step states, attempts, escalations and the orchestrator log.
 *
 * Deterministic: times come from the workflow clock. Every change is mirrored into search attributes
 * so that `overture list` can find runs without asking each one.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { BLOCKING_STEP, NEEDS_ATTENTION, RUN_STATE, WAITING_SINCE } from './search-attributes';
import {
  ONBOARDING_STEPS,
  type LogLine,
  type OnboardingStatus,
  type OnboardingStep,
  type RunState,
  type StepStatus,
} from './onboarding-types';

const now = (): string => new Date().toISOString();

/** Keeps the status that the `status` query returns, and the search attributes that mirror it. */
export class RunTracker {
  readonly status: OnboardingStatus;
  private published = '';

  constructor(workflowId: string, employeeId: string) {
    this.status = {
      workflowId,
      process: 'onboarding',
      employeeId,
      state: 'running',
      startedAt: now(),
      steps: ONBOARDING_STEPS.map((step) => ({ step, state: 'pending', attempts: 0 })),
      escalations: [],
      log: [],
    };
  }

  step(name: OnboardingStep): StepStatus {
    const found = this.status.steps.find((s) => s.step === name);
    if (!found) throw new Error(`unknown step ${name}`);
    return found;
  }

  log(message: string, step?: OnboardingStep, level: LogLine['level'] = 'info'): void {
    this.status.log.push({ at: now(), level, step, message });
  }

  stepStarted(name: OnboardingStep): void {
    const s = this.step(name);
    s.state = 'running';
    s.startedAt ??= now();
    s.endedAt = undefined;
    this.log(`${name} started`, name);
    this.publish();
  }

  stepCompleted(name: OnboardingStep, attempts: number, outcome: Record<string, string>, path: 'primary' | 'fallback'): void {
    const s = this.step(name);
    s.state = 'completed';
    s.attempts += attempts;
    s.outcome = outcome;
    s.path = path;
    s.endedAt = now();
    const retried = attempts > 1 ? ` after ${attempts} attempts` : '';
    this.log(`${name} completed${retried}${path === 'fallback' ? ' by its fallback path' : ''}`, name);
    this.publish();
  }

  stepFailed(name: OnboardingStep, attempts: number, error: string): void {
    const s = this.step(name);
    s.state = 'failed';
    s.attempts += attempts;
    s.lastError = error;
    s.endedAt = now();
    this.log(`${name} failed after ${attempts} attempt(s): ${error}`, name, 'error');
    this.publish();
  }

  setState(state: RunState): void {
    this.status.state = state;
    if (state === 'completed' || state === 'aborted' || state === 'rejected' || state === 'failed') {
      this.status.endedAt = now();
    }
    this.publish();
  }

  /** The step a person is asked about, or else the first step still in flight. */
  private blockingStep(): OnboardingStep | undefined {
    const escalated = this.status.escalations.find((e) => e.open);
    if (escalated) return escalated.step;
    if (this.status.approval?.open) return 'assignPermissions';
    return this.status.steps.find((s) => s.state === 'running' || s.state === 'escalated')?.step;
  }

  /** When the oldest open question to a person was asked, if any. */
  waitingSince(): string | undefined {
    const asked = [
      ...this.status.escalations.filter((e) => e.open).map((e) => e.openedAt),
      ...(this.status.approval?.open ? [this.status.approval.requestedAt] : []),
    ].sort();
    return asked[0];
  }

  /** Recomputes the run state from open questions and mirrors it into search attributes when it changed. */
  publish(): void {
    const waitingSince = this.waitingSince();
    if (this.status.state === 'running' || this.status.state === 'needs_attention' || this.status.state === 'awaiting_approval') {
      if (this.status.escalations.some((e) => e.open)) this.status.state = 'needs_attention';
      else if (this.status.approval?.open) this.status.state = 'awaiting_approval';
      else this.status.state = 'running';
    }
    this.status.currentStep = this.blockingStep();
    const finished = this.status.endedAt !== undefined;
    const updates: SearchAttributeUpdatePair[] = [
      { key: RUN_STATE, value: this.status.state },
      { key: BLOCKING_STEP, value: finished ? null : this.status.currentStep ?? null },
      { key: NEEDS_ATTENTION, value: waitingSince !== undefined },
      { key: WAITING_SINCE, value: waitingSince ? new Date(waitingSince) : null },
    ];
    const fingerprint = JSON.stringify(updates.map((u) => u.value));
    if (fingerprint === this.published) return;
    this.published = fingerprint;
    upsertSearchAttributes(updates);
  }
}
