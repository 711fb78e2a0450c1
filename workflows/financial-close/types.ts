/**
 * Types of the month-end financial close, shared by its workflows and its clients. Pure types only.
 */
import type { ProcessOptions } from '../kit/types';

/** What to close: a period, the entities, who signs off. Entities are ids, never personal data. */
export interface CloseRequest {
  /** YYYY-MM */
  period: string;
  entities: string[];
  controllerEmail: string;
  /** Largest difference between ledger cash and bank balance that still counts as reconciled, in cents. */
  toleranceCents: number;
}

export interface FinancialCloseInput {
  close: CloseRequest;
  options: ProcessOptions;
}

/** One entity's reconciliation, run as a child of the close. */
export interface ReconcileEntityInput {
  period: string;
  toleranceCents: number;
  options: ProcessOptions;
  /** The entity, as the fan-out hands each item to its child. */
  item: string;
}

export interface EntityReconciliation {
  entity: string;
  result: 'matched' | 'adjusted';
  difference?: string;
  /** The adjustment a person entered, when the entity did not match its bank. */
  adjustment?: string;
}

export interface FinancialCloseResult {
  state: 'completed';
  period: string;
  reconciliations: EntityReconciliation[];
  /** Where the rates came from: live, or the last published set (the fallback). */
  rateSource: string;
  trialBalancePath?: string;
  incomeStatementPath?: string;
  skippedSteps: string[];
}
