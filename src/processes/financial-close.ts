/** The month-end financial close in the registry: its input, workflow id, options and example. */
import path from 'node:path';
import { z } from 'zod';
import { processOptionsFrom, type OvertureConfig } from '../config';
import type { ProcessOptions, StepPolicy, SystemName } from '../../workflows/kit/types';
import { FINANCIAL_CLOSE, RECONCILE_ENTITY } from '../../workflows/financial-close/shape';
import type { CloseRequest, ReconcileEntityInput } from '../../workflows/financial-close/types';
import type { ProcessDefinition } from '../registry/types';
import { emailAddress } from '../../workflows/kit/input';

/** Ledger writes are short SQLite transactions: the fast path (local activities). */
const ledgerStep: StepPolicy = { startToCloseTimeoutMs: 60_000, initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 30_000, maximumAttempts: 5, runAs: 'local' };

/** The steps that send through a downstream system: they retry for that system's time budget (src/config.ts). */
export const CLOSE_STEP_SYSTEMS: Partial<Record<string, SystemName>> = { publishStatements: 'email' };

/** Retry policies of the close's steps: ledger writes retry quickly; the rates source is given a little longer. */
export const CLOSE_STEP_POLICIES: Record<string, StepPolicy> = {
  lockPeriod: ledgerStep,
  reconcile: { ...ledgerStep, maximumAttempts: 3 },
  postAdjustment: ledgerStep,
  // The rates source may be a remote URL with a 10 s timeout: a regular activity.
  revalueForeignCurrency: { ...ledgerStep, initialIntervalMs: 2_000, maximumAttempts: 4, runAs: 'activity' },
  postAccruals: ledgerStep,
  // Heartbeats while its email is sent (activities/delivery-attempt.ts): a lost worker is noticed in 30 s.
  publishStatements: { ...ledgerStep, startToCloseTimeoutMs: 120_000, heartbeatTimeoutMs: 30_000, initialIntervalMs: 2_000, maximumAttempts: 6, runAs: 'activity' },
};

const entityId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1-40 lowercase letters, digits or "-" (it becomes part of workflow IDs)');

export const closeRequestSchema = z
  .object({
    period: z.string({ error: 'is required' }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM'),
    entities: z
      .array(entityId, { error: 'must be a list of entity ids' })
      .min(1, 'name at least one entity')
      .max(1_000, 'at most 1000 entities')
      .refine((list) => new Set(list).size === list.length, 'must not repeat an entity'),
    controllerEmail: emailAddress(),
    toleranceCents: z.number().int().min(0).max(100_000_00).default(100),
  })
  .strict();

function closeOptions(config: OvertureConfig): ProcessOptions {
  return processOptionsFrom(config, CLOSE_STEP_POLICIES, CLOSE_STEP_SYSTEMS);
}

export const financialCloseProcess: ProcessDefinition<CloseRequest> = {
  shape: FINANCIAL_CLOSE,
  workflowType: 'financialClose',
  inputSchema: closeRequestSchema,
  workflowId: (close) => `financial-close-${close.period}`,
  subject: (close) => close.period,
  options: closeOptions,
  workflowArgs: (close, options) => [{ close, options }],
  describe: (close) => ({
    summary: `Financial close of ${close.period} for ${close.entities.length} entities`,
    details: `Process: financial-close\nPeriod: ${close.period}\nEntities: ${close.entities.join(', ')}`,
  }),
  example: path.join('examples', 'financial-close.json'),
};

const reconcileInputSchema = z.object({ period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM'), item: entityId, toleranceCents: z.number().int().min(0) });

/** The per-entity reconciliation: started by the close's fan-out, listed and decided like any run. */
export const reconcileEntityProcess: ProcessDefinition<Omit<ReconcileEntityInput, 'options'>> = {
  shape: RECONCILE_ENTITY,
  workflowType: 'reconcileEntity',
  internal: true,
  inputSchema: reconcileInputSchema,
  workflowId: (input) => `reconcile-${input.period}-${input.item}`,
  subject: (input) => `${input.item} ${input.period}`,
  options: closeOptions,
  workflowArgs: (input, options) => [{ ...input, options }],
  describe: (input) => ({ summary: `Reconciliation of ${input.item} for ${input.period}`, details: `Process: reconcile-entity\nEntity: ${input.item}` }),
  example: path.join('examples', 'financial-close.json'),
};
