/**
 * The month-end financial close in the registry: its input, workflow id, step policies and example, and the
 * per-entity reconciliation its fan-out starts (internal: listed and decided like any run, never started by hand).
 */
import { z } from 'zod';
import { defineProcess } from '../kit/definition';
import { emailAddress } from '../kit/input';
import type { StepPolicy } from '../kit/types';
import { FINANCIAL_CLOSE, RECONCILE_ENTITY } from './shape';
import type { CloseRequest, ReconcileEntityInput } from './types';

/** Ledger writes are short SQLite transactions: the fast path (local activities). */
const ledgerStep: StepPolicy = {
  startToCloseTimeoutMs: 60_000,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 30_000,
  maximumAttempts: 5,
  runAs: 'local',
};

const period = z.string({ error: 'is required' }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM');
const entityId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1-40 lowercase letters, digits or "-" (it becomes part of workflow IDs)');

export const closeRequestSchema = z
  .object({
    period,
    entities: z
      .array(entityId, { error: 'must be a list of entity ids' })
      .min(1, 'name at least one entity')
      .max(1_000, 'at most 1000 entities')
      .refine((list) => new Set(list).size === list.length, 'must not repeat an entity'),
    controllerEmail: emailAddress(),
    toleranceCents: z.number().int().min(0).max(100_000_00).default(100),
  })
  .strict();

export const financialCloseDefinition = defineProcess({
  shape: FINANCIAL_CLOSE,
  workflowType: 'financialClose',
  inputSchema: closeRequestSchema,
  workflowId: (close: CloseRequest) => `financial-close-${close.period}`,
  subject: (close) => close.period,
  // Ledger writes retry quickly; the rates source is given a little longer.
  policies: {
    lockPeriod: ledgerStep,
    // The rates source may be a remote URL with a 10 s timeout: a regular activity.
    revalueForeignCurrency: { ...ledgerStep, initialIntervalMs: 2_000, maximumAttempts: 4, runAs: 'activity' },
    postAccruals: ledgerStep,
    // Heartbeats while its email is sent (activities/kit/delivery-attempt.ts): a lost worker is noticed in 30 s.
    publishStatements: {
      ...ledgerStep,
      startToCloseTimeoutMs: 120_000,
      heartbeatTimeoutMs: 30_000,
      initialIntervalMs: 2_000,
      maximumAttempts: 6,
      runAs: 'activity',
    },
  },
  stepSystems: { publishStatements: 'email' },
  workflowArgs: (close, options) => [{ close, options }],
  describe: (close) => ({
    summary: `Financial close of ${close.period} for ${close.entities.length} entities`,
    details: `Process: financial-close\nPeriod: ${close.period}\nEntities: ${close.entities.join(', ')}`,
  }),
  example: 'examples/financial-close.json',
});

const reconcileInputSchema = z.object({ period, item: entityId, toleranceCents: z.number().int().min(0) });

/** The per-entity reconciliation: started by the close's fan-out, listed and decided like any run. */
export const reconcileEntityDefinition = defineProcess({
  shape: RECONCILE_ENTITY,
  workflowType: 'reconcileEntity',
  internal: true,
  inputSchema: reconcileInputSchema,
  workflowId: (input: Omit<ReconcileEntityInput, 'options'>) => `reconcile-${input.period}-${input.item}`,
  subject: (input) => `${input.item} ${input.period}`,
  policies: { reconcile: { ...ledgerStep, maximumAttempts: 3 }, postAdjustment: ledgerStep },
  workflowArgs: (input, options) => [{ ...input, options }],
  describe: (input) => ({
    summary: `Reconciliation of ${input.item} for ${input.period}`,
    details: `Process: reconcile-entity\nEntity: ${input.item}`,
  }),
});

/** The close and its reconciliation, as the registry reads them. */
export const definitions = [financialCloseDefinition, reconcileEntityDefinition];
