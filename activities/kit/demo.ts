/**
 * A console demo a process may offer (`activities/<name>/demo.ts` exporting `demo`): the same injected failure
 * hits a plain script of the process's steps (run, "fixed", run again from the top) and an Overture run, so that
 * what the script repeats and what Overture escalates show side by side. The console lists the installed demos.
 */
import type { Client } from '@temporalio/client';
import type { OvertureConfig } from '../../src/config/platform';
import type { ProcessOptions } from '../../workflows/kit/types';

/** One run of the plain script: how far it got, and what reached the outside world. */
export interface ScriptRun {
  completed: boolean;
  error?: string;
  steps: Array<{ step: string; state: 'done' | 'failed' | 'not run'; detail?: string }>;
}

/** What a demo answers: both script runs, the side effects counted over both, and the Overture run to watch. */
export interface DemoResult {
  inject: string;
  script: {
    /** What the script worked on, e.g. "Employee DEMO-S-…". */
    subject: string;
    firstRun: ScriptRun;
    rerun: ScriptRun;
    /** Side effects over both runs; more than one of a kind is a duplicate a person would see (`id` names it for tests). */
    effects: Array<{ id: string; label: string; count: number }>;
  };
  overture: { workflowId: string };
}

/** What the console hands a demo: its client, configuration, the options of runs it starts, its log. */
export interface DemoContext {
  client: Client;
  config: OvertureConfig;
  tuneOptions?: <O extends ProcessOptions>(options: O) => O;
  log: (line: string) => void;
}

export interface DemoRunner {
  run(inject: string, operator: string): Promise<DemoResult>;
  close(): void;
}

export interface ConsoleDemo {
  /** The process it shows. */
  process: string;
  title: string;
  /** One paragraph for the demo's page. */
  description: string;
  /** The steps a failure may be injected into, and the one offered first. */
  steps: readonly string[];
  defaultStep: string;
  open(context: DemoContext): DemoRunner;
}
