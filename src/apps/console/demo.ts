/**
 * The side-by-side demo: the same injected failure hits a plain script (run, "fixed", run again from the
 * top) and an Overture run, so the duplicate welcome email of the one and the escalation of the other show.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import nodemailer from 'nodemailer';
import type { OvertureConfig } from '../../config';
import { startOnboarding, type StartOptions } from '../../client';
import { openDirectory } from '../../stores/open';
import { runScriptChain, type OnboardingStep, type ScriptChainResult, type ScriptChainSystems } from './script-chain';
import type { NewHire } from '../../../workflows/onboarding/types';

/** What `POST /api/demo` answers. */
export interface DemoResult {
  inject: OnboardingStep;
  script: { employeeId: string; firstRun: ScriptChainResult; rerun: ScriptChainResult; welcomeEmailsSent: number; teamNotificationsSent: number };
  overture: { workflowId: string };
}

/** Runs the demo; owns the script's connections to the directory and SMTP when it had to open them. */
export interface DemoRunner {
  run(inject: OnboardingStep, operator: string): Promise<DemoResult>;
  close(): void;
}

interface DemoOptions {
  /** The systems the plain script calls; built from config when the demo first runs. */
  scriptSystems?: ScriptChainSystems;
  startOptions?: Pick<StartOptions, 'tuneOptions'>;
  log: (line: string) => void;
}

function demoHire(prefix: string): NewHire {
  const employeeId = `DEMO-${prefix}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`.toUpperCase();
  return {
    employeeId,
    fullName: 'Grace Hopper',
    email: `grace.hopper.${employeeId.toLowerCase()}@example.com`,
    role: 'engineer',
    team: 'Compilers',
    managerEmail: 'howard.aiken@example.com',
    startDate: new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10),
    extraPermissions: [],
  };
}

/** A demo runner; the script's systems are opened lazily, so a console nobody demos never opens them. */
export function createDemo(client: Client, config: OvertureConfig, opts: DemoOptions): DemoRunner {
  let owned: Promise<{ systems: ScriptChainSystems; close: () => Promise<void> }> | undefined;

  // The directory the workers use (PostgreSQL when DIRECTORY_URL is set, else the SQLite file), opened once.
  const openOwned = async () => {
    const directory = await openDirectory(config);
    const transport = nodemailer.createTransport(config.smtpUrl);
    return {
      systems: { directory, transport, from: config.MAIL_FROM, webhookUrl: config.webhookUrl, workspaceBaseUrl: config.WORKSPACE_BASE_URL },
      close: async () => {
        transport.close();
        await directory.close();
      },
    };
  };
  const scriptSystems = async (): Promise<ScriptChainSystems> => {
    if (opts.scriptSystems) return opts.scriptSystems;
    // A failed open is forgotten, so the next demo tries again.
    owned ??= openOwned().catch((err: unknown) => {
      owned = undefined;
      throw err;
    });
    return (await owned).systems;
  };

  return {
    async run(inject, operator) {
      const systems = await scriptSystems();
      const scriptHire = demoHire('S');
      const firstRun = await runScriptChain(systems, scriptHire, inject);
      // The operator "fixes" the problem and runs the script again: it starts over from the first step.
      const rerun = await runScriptChain(systems, scriptHire);
      const all = [...firstRun.sideEffects, ...rerun.sideEffects];
      const overtureHire = demoHire('O');
      const started = await startOnboarding(client, config, overtureHire, { faults: { [inject]: { kind: 'permanent' } }, tuneOptions: opts.startOptions?.tuneOptions });
      opts.log(`${operator} ran the demo (fault in ${inject}): script ${scriptHire.employeeId}, Overture ${started.workflowId}`);
      return {
        inject,
        script: {
          employeeId: scriptHire.employeeId,
          firstRun,
          rerun,
          welcomeEmailsSent: all.filter((e) => e === 'welcome email sent').length,
          teamNotificationsSent: all.filter((e) => e === 'team notified').length,
        },
        overture: { workflowId: started.workflowId },
      };
    },
    close() {
      const closing = owned;
      owned = undefined;
      // close() stays synchronous for the console's shutdown; a PostgreSQL pool ends in the background.
      void closing?.then((o) => o.close()).catch(() => {});
    },
  };
}
