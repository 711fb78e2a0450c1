/**
 * The onboarding's side-by-side demo: the same injected failure hits a plain script (run, "fixed", run again from
 * the top) and an Overture run, so the duplicate welcome email of the one and the escalation of the other show.
 * Both halves run on in-memory sandboxes (activities/kit/demo-sandbox.ts): a demo sends no real email or post.
 */
import { randomBytes } from 'node:crypto';
import { startProcess } from '../../src/client';
import type { ConsoleDemo, DemoContext, DemoRunner } from '../kit/demo';
import { demoConfig, openDemoSandbox } from '../kit/demo-sandbox';
import { runScriptChain, SCRIPT_ORDER, type OnboardingStep, type ScriptChainSystems } from './script-chain';
import type { NewHire } from '../../workflows/onboarding/types';

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

/**
 * A demo runner. Each run's script gets a sandbox of its own (activities/kit/demo-sandbox.ts), closed when it is
 * done; the Overture run goes to the demo's task queue, whose worker runs it on a sandbox too. Nothing reaches the
 * relay, the team's channel or the directory.
 */
function openDemo({ client, config, tuneOptions, log }: DemoContext): DemoRunner {
  return {
    async run(step, operator) {
      const inject = step as OnboardingStep;
      const sandbox = openDemoSandbox(config);
      const { directory, mail, chat } = sandbox.systems;
      const systems: ScriptChainSystems = {
        directory,
        transport: mail.transport,
        from: mail.from,
        webhookUrl: chat.webhookUrl,
        fetch: sandbox.channel,
        workspaceBaseUrl: config.WORKSPACE_BASE_URL,
      };
      const scriptHire = demoHire('S');
      const runTwice = async () => {
        const firstRun = await runScriptChain(systems, scriptHire, inject);
        // The operator "fixes" the problem and runs the script again: it starts over from the first step.
        return { firstRun, rerun: await runScriptChain(systems, scriptHire) };
      };
      const { firstRun, rerun } = await runTwice().finally(() => sandbox.close());
      const overtureHire = demoHire('O');
      const started = await startProcess(client, demoConfig(config), 'onboarding', overtureHire, {
        faults: { [inject]: { kind: 'permanent' } },
        tuneOptions,
      });
      log(`${operator} ran the demo (fault in ${inject}): script ${scriptHire.employeeId}, Overture ${started.workflowId}`);
      // Counted where they arrived: the sandbox's outbox and channel.
      const welcomes = sandbox.outbox.emails.filter((e) => e.to === scriptHire.email && e.subject.startsWith('Welcome')).length;
      return {
        inject,
        script: {
          subject: `Employee ${scriptHire.employeeId}`,
          firstRun,
          rerun,
          effects: [
            { id: 'emails', label: 'Welcome emails sent', count: welcomes },
            { id: 'notifications', label: 'Team notifications sent', count: sandbox.outbox.posts.length },
          ],
        },
        overture: { workflowId: started.workflowId },
      };
    },
    close() {
      // Nothing outlives a run: each run's sandbox is closed when its script is done.
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
