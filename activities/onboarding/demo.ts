/**
 * The onboarding's side-by-side demo: the same injected failure hits a plain script (run, "fixed", run again from
 * the top) and an Overture run, so the duplicate welcome email of the one and the escalation of the other show.
 */
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { startProcess } from '../../src/client';
import { openDirectory } from '../../src/stores/open';
import type { ConsoleDemo, DemoContext, DemoRunner } from '../kit/demo';
import { runScriptChain, SCRIPT_ORDER, type OnboardingStep, type ScriptChainSystems } from './script-chain';
import type { NewHire } from '../../workflows/onboarding/types';

/** The systems the plain script calls, when a test gives its own (else they are opened from config at the first run). */
let givenSystems: ScriptChainSystems | undefined;

/** Makes the demo's script call these systems (tests); undefined goes back to opening them from configuration. */
export function useScriptSystems(systems: ScriptChainSystems | undefined): void {
  givenSystems = systems;
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
function openDemo({ client, config, tuneOptions, log }: DemoContext): DemoRunner {
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
    if (givenSystems) return givenSystems;
    // A failed open is forgotten, so the next demo tries again.
    owned ??= openOwned().catch((err: unknown) => {
      owned = undefined;
      throw err;
    });
    return (await owned).systems;
  };

  return {
    async run(step, operator) {
      const inject = step as OnboardingStep;
      const systems = await scriptSystems();
      const scriptHire = demoHire('S');
      const firstRun = await runScriptChain(systems, scriptHire, inject);
      // The operator "fixes" the problem and runs the script again: it starts over from the first step.
      const rerun = await runScriptChain(systems, scriptHire);
      const all = [...firstRun.sideEffects, ...rerun.sideEffects];
      const overtureHire = demoHire('O');
      const started = await startProcess(client, config, 'onboarding', overtureHire, {
        faults: { [inject]: { kind: 'permanent' } },
        tuneOptions,
      });
      log(`${operator} ran the demo (fault in ${inject}): script ${scriptHire.employeeId}, Overture ${started.workflowId}`);
      return {
        inject,
        script: {
          subject: `Employee ${scriptHire.employeeId}`,
          firstRun,
          rerun,
          effects: [
            { id: 'emails', label: 'Welcome emails sent', count: all.filter((e) => e === 'welcome email sent').length },
            { id: 'notifications', label: 'Team notifications sent', count: all.filter((e) => e === 'team notified').length },
          ],
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

export const demo: ConsoleDemo = {
  process: 'onboarding',
  title: 'Plain script vs Overture',
  description:
    'The same five onboarding steps, with the same permanent failure injected into one step. The script is called one step after the other, ' +
    'with no orchestrator and no ledger, then run again from the top after the "fix"; Overture escalates the step, lets the rest go on, and a retry finishes it.',
  steps: SCRIPT_ORDER,
  defaultStep: 'createWorkspace',
  open: openDemo,
};
