/**
 * A process's worker part, declared in `activities/<name>/index.ts`: how its activities are bound to the systems
 * the worker shares (./shared-systems.ts) and to the systems of its own it opens, and the local servers `npm start`
 * runs for it on one machine. The worker builds itself from every installed process's part (src/registry).
 */
import type { Server } from 'node:net';
import type { OvertureConfig } from '../../src/config/platform';
import type { SharedSystems } from './shared-systems';

/** A process's activities, bound; `close` releases what the process opened itself. */
export interface ConnectedProcess {
  activities: object;
  close?(): void | Promise<void>;
}

/** A server `npm start` runs for a process on one machine, e.g. the site that serves published pages. */
export interface LocalService {
  /** What it is, for the stack's log prefix and messages ("site server"). */
  name: string;
  /** Whether it runs here: not when configuration points at a server of its own. */
  runs: boolean;
  /** The port it listens on, and the variable that chooses it (checked free before anything starts). */
  port: { port: number; variable: string };
  /** Starts it; `server` lets the stack listen again if it closes unasked. */
  start(log: (line: string) => void): Promise<{ url: string; server?: Server; stop(): Promise<void> }>;
  /** The line of the stack's summary: given its URL when it runs here. */
  summary(localUrl?: string): [label: string, value: string];
}

export interface ProcessWorker {
  /** Binds the process's activities to the shared systems and to its own, which it opens here. */
  connect(systems: SharedSystems): ConnectedProcess | Promise<ConnectedProcess>;
  /** The servers `npm start` runs for the process on one machine. */
  localServices?(config: OvertureConfig): LocalService[];
}

/** Declares a process's worker part. */
export function defineWorker(worker: ProcessWorker): ProcessWorker {
  return worker;
}
