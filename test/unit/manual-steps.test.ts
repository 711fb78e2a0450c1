/**
 * Manual first: which steps a run may do by hand, checked before anything starts (the `--manual` list, the
 * console's `manual`, MANUAL_STEPS), and what the run's input carries: nothing new for a run without manual steps.
 */
import { ConfigError, loadConfig } from '../../src/config';
import { prepareRunStart } from '../../src/client';
import { findProcess, familyShapes } from '../../src/registry';
import { InputError } from '../../workflows/kit/input';
import type { ProcessOptions } from '../../workflows/kit/types';
import { manualInstructions, parseManualList, resolveManualSteps, stepMode } from '../../workflows/kit/manual-steps';
import { newHire } from '../processes/onboarding/helpers';

const onboarding = findProcess('onboarding');
const close = findProcess('financial-close');

/** The options frozen into the start's first workflow argument. */
const optionsOf = (args: unknown[]) => (args[0] as { options: Record<string, unknown> }).options;

describe('the steps a run may do by hand', () => {
  it('are the steps that call an activity or are manual already; all of them for `all`, in the process order', () => {
    expect(resolveManualSteps(familyShapes(onboarding), ['all'])).toEqual([
      'createAccount',
      'assignPermissions',
      'sendWelcomeEmail',
      'createWorkspace',
      'requestEquipment',
      'notifyTeam',
    ]);
    expect(resolveManualSteps(familyShapes(onboarding), ['notifyTeam', 'createAccount', 'notifyTeam'])).toEqual([
      'createAccount',
      'notifyTeam',
    ]);
    // The close's own steps and its entity reconciliations' (the child runs get the run's options): no fan-out, no approval.
    const closeAll = resolveManualSteps(familyShapes(close), ['all']);
    expect(closeAll).toContain('lockPeriod');
    expect(closeAll).not.toContain('reconcileEntities');
    expect(closeAll).not.toContain('controllerSignOff');
  });

  it('refuses an unknown step, an approval, a fan-out and an event wait, naming each', () => {
    const refusal = (shapes: ReturnType<typeof familyShapes>, steps: string[]) => {
      try {
        resolveManualSteps(shapes, steps);
      } catch (err) {
        if (err instanceof InputError) return err.problems;
        throw err;
      }
      throw new Error('not refused');
    };
    expect(refusal(familyShapes(close), ['controllerSignOff', 'reconcileEntities', 'lockPeriodd'])).toEqual([
      expect.stringMatching(/^controllerSignOff: a step of kind approval cannot be done by hand; steps that can: lockPeriod, /),
      expect.stringMatching(/^reconcileEntities: a step of kind fan-out cannot be done by hand/),
      expect.stringMatching(/^lockPeriodd: unknown step; steps are lockPeriod, reconcileEntities, /),
    ]);
    const publishing = familyShapes(findProcess('content-publishing'));
    expect(refusal(publishing, ['awaitRevision'])).toEqual([
      expect.stringMatching(/^awaitRevision: a step of kind event cannot be done by hand/),
    ]);
  });

  it('reads a --manual list', () => {
    expect(parseManualList(' createAccount, ,notifyTeam ')).toEqual(['createAccount', 'notifyTeam']);
  });
});

describe('a run with manual steps', () => {
  const config = loadConfig({});

  it('carries them in its options; a run without any has the input it always had', () => {
    const hire = newHire();
    const plain = prepareRunStart(config, onboarding, hire);
    expect(Object.keys(optionsOf(plain.args))).not.toContain('manualSteps');
    const manual = prepareRunStart(config, onboarding, hire, { manual: ['sendWelcomeEmail'] });
    expect(optionsOf(manual.args).manualSteps).toEqual(['sendWelcomeEmail']);
    expect({ ...optionsOf(manual.args), manualSteps: undefined }).toEqual({ ...optionsOf(plain.args), manualSteps: undefined });
    expect(() => prepareRunStart(config, close, {}, { manual: ['controllerSignOff'] })).toThrow(InputError);
  });

  it('adds the steps MANUAL_STEPS configures for the process to those the start asks for', () => {
    const configured = loadConfig({ MANUAL_STEPS: JSON.stringify({ onboarding: ['sendWelcomeEmail'] }) });
    const run = prepareRunStart(configured, onboarding, newHire(), { manual: ['createAccount'] });
    expect(optionsOf(run.args).manualSteps).toEqual(['createAccount', 'sendWelcomeEmail']);
  });

  it('refuses MANUAL_STEPS naming an unknown process or a step that cannot be done by hand', () => {
    expect(() => loadConfig({ MANUAL_STEPS: '{oops' })).toThrow(/MANUAL_STEPS: must be JSON/);
    expect(() => loadConfig({ MANUAL_STEPS: JSON.stringify({ onboardin: ['all'] }) })).toThrow(
      /MANUAL_STEPS: unknown process onboardin; processes are onboarding/,
    );
    expect(() => loadConfig({ MANUAL_STEPS: JSON.stringify({ 'financial-close': ['controllerSignOff'] }) })).toThrow(ConfigError);
    expect(() => loadConfig({ MANUAL_STEPS: JSON.stringify({ 'financial-close': ['controllerSignOff'] }) })).toThrow(
      /MANUAL_STEPS\.financial-close\.controllerSignOff: a step of kind approval cannot be done by hand/,
    );
  });

  it('tells a person what to do and what to report, and the KPIs how the step ran', () => {
    const options = { ...optionsOf(prepareRunStart(config, onboarding, newHire()).args), manualSteps: ['createWorkspace'] };
    const shape = onboarding.shape;
    expect(manualInstructions(shape, 'createWorkspace', 'E1')).toBe(
      'Provision the workspace — for onboarding E1, by hand (this step is not automated in this run).\n' +
        'Report: workspaceUrl (text, optional), ticketId (text, optional).',
    );
    const opts = options as unknown as ProcessOptions;
    expect(['createWorkspace', 'requestEquipment', 'notifyTeam', 'nope'].map((s) => stepMode(shape, opts, s))).toEqual([
      'manual',
      'manual',
      'automated',
      'automated',
    ]);
  });
});
