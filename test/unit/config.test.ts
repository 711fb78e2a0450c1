import path from 'node:path';
import { loadConfig, type OvertureConfig } from '../../src/config';
import { optionsFor } from '../../src/registry';
import { DEFAULT_SUPPORT_POLICY } from '../../src/registry/options';
import { settings as onboardingSettings } from '../../activities/onboarding/settings';
import { onboardingDefinition } from '../../workflows/onboarding/definition';
import type { OnboardingOptions } from '../../workflows/onboarding/types';

const DEFAULT_STEP_POLICIES = onboardingDefinition.policies;
const onboardingOptionsFrom = (config: OvertureConfig) => optionsFor(config, onboardingDefinition) as OnboardingOptions;
import { ONBOARDING_STEPS } from '../../workflows/onboarding/shape';
import { configErrorOf } from '../helpers/config-errors';

const HOUR_MS = 3_600_000;

describe('loadConfig', () => {
  it('defaults to the embedded local stack', () => {
    const config = loadConfig({});

    expect(config.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(config.TEMPORAL_TASK_QUEUE).toBe('overture');
    expect(config.smtpUrl).toBe('smtp://127.0.0.1:2525');
    expect(config.webhookUrl).toBe('http://127.0.0.1:4040/hooks/team');
    expect(config.temporalUiUrl).toBe('http://127.0.0.1:8233');
    expect(config.consoleUrl).toBe('http://127.0.0.1:4000');
    expect(config.OVERTURE_DATA_DIR).toBe(path.resolve('.data'));
    expect(config.directoryDbPath).toBe(path.resolve('.data', 'directory.db'));
    expect(config.ledgerDbPath).toBe(path.resolve('.data', 'overture.db'));
    expect(config.ESCALATION_CONTACTS).toEqual(['it-oncall@overture.local', 'it-lead@overture.local']);
    expect(onboardingSettings.of(config).privilegedPermissions).toEqual(['admin', 'root', 'billing-admin', 'security-admin']);
    expect(config.ESCALATION_AUTO_ACTION).toBe('abort');
    expect(config.STEP_POLICIES).toEqual({});
  });

  it('builds the local SMTP and webhook URLs from their ports', () => {
    const config = loadConfig({ LOCAL_SMTP_PORT: '2626', LOCAL_WEBHOOK_PORT: '5050', TEMPORAL_UI_PORT: '9000' });

    expect(config.LOCAL_SMTP_PORT).toBe(2626);
    expect(config.smtpUrl).toBe('smtp://127.0.0.1:2626');
    expect(config.webhookUrl).toBe('http://127.0.0.1:5050/hooks/team');
    expect(config.temporalUiUrl).toBe('http://127.0.0.1:9000');
  });

  it('resolves data paths under OVERTURE_DATA_DIR to absolute paths', () => {
    const config = loadConfig({ OVERTURE_DATA_DIR: 'var/overture-data' });

    expect(path.isAbsolute(config.OVERTURE_DATA_DIR)).toBe(true);
    expect(config.OVERTURE_DATA_DIR).toBe(path.resolve('var/overture-data'));
    expect(config.directoryDbPath).toBe(path.join(path.resolve('var/overture-data'), 'directory.db'));
    expect(config.ledgerDbPath).toBe(path.join(path.resolve('var/overture-data'), 'overture.db'));
  });

  it('lets explicit database paths override the data dir, resolved absolute', () => {
    const config = loadConfig({
      OVERTURE_DATA_DIR: '/srv/overture',
      DIRECTORY_DB_PATH: 'db/dir.sqlite',
      LEDGER_DB_PATH: '/var/lib/ledger.db',
    });

    expect(config.directoryDbPath).toBe(path.resolve('db/dir.sqlite'));
    expect(config.ledgerDbPath).toBe('/var/lib/ledger.db');
  });

  it('uses SMTP_URL, NOTIFY_WEBHOOK_URL and TEMPORAL_UI_URL over the local defaults', () => {
    const config = loadConfig({
      SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      LOCAL_SMTP_PORT: '2626',
      NOTIFY_WEBHOOK_URL: 'https://hooks.slack.example/services/T/B/X',
      TEMPORAL_UI_URL: 'https://temporal.example.com',
    });

    expect(config.smtpUrl).toBe('smtps://user:pass@mail.example.com:465');
    expect(config.webhookUrl).toBe('https://hooks.slack.example/services/T/B/X');
    expect(config.temporalUiUrl).toBe('https://temporal.example.com');
  });

  it('splits and trims lists', () => {
    const config = loadConfig({ ESCALATION_CONTACTS: ' a@example.com ,b@example.com,, ', PRIVILEGED_PERMISSIONS: 'root' });
    expect(config.ESCALATION_CONTACTS).toEqual(['a@example.com', 'b@example.com']);
    expect(onboardingSettings.of(config).privilegedPermissions).toEqual(['root']);
  });

  it.each([
    ['LOCAL_SMTP_PORT', 'abc'],
    ['LOCAL_WEBHOOK_PORT', '70000'],
    ['CONSOLE_PORT', '80.5'],
    ['ESCALATION_AUTO_ACTION', 'explode'],
    ['ESCALATION_REMINDER_HOURS', '-1'],
    ['APPROVAL_TIMEOUT_HOURS', 'soon'],
    ['SMTP_URL', 'not a url'],
    ['STEP_POLICIES', 'not json'],
    ['STEP_POLICIES', '{"launchRocket":{"maximumAttempts":3}}'],
    ['STEP_POLICIES', '{"createWorkspace":{"maximumAttempts":0}}'],
    ['STEP_POLICIES', '{"createWorkspace":{"retries":3}}'],
    ['ESCALATION_CONTACTS', ''],
    ['ESCALATION_CONTACTS', 'oncall@example.com,the-boss'],
  ])('rejects %s=%j with a ConfigError naming the variable', (name, value) => {
    const err = configErrorOf({ [name]: value });

    expect(err.name).toBe('ConfigError');
    expect(err.message).toMatch(/^invalid configuration/);
    expect(err.message).toContain(name);
  });

  it('says what STEP_POLICIES must look like when it is not JSON', () => {
    expect(configErrorOf({ STEP_POLICIES: '{createWorkspace: 5' }).message).toMatch(/STEP_POLICIES: must be JSON/);
  });

  it('names every bad variable at once', () => {
    const err = configErrorOf({ LOCAL_SMTP_PORT: 'abc', ESCALATION_AUTO_ACTION: 'explode' });
    expect(err.message).toContain('LOCAL_SMTP_PORT');
    expect(err.message).toContain('ESCALATION_AUTO_ACTION');
  });

  it.each([
    [{ ESCALATION_REMINDER_HOURS: '30' }, /ESCALATION_REMINDER_HOURS < ESCALATION_NEXT_CONTACT_HOURS/],
    [{ ESCALATION_NEXT_CONTACT_HOURS: '4' }, /ESCALATION_REMINDER_HOURS < ESCALATION_NEXT_CONTACT_HOURS/],
    [{ ESCALATION_AUTO_ACTION_HOURS: '12' }, /ESCALATION_AUTO_ACTION_HOURS must hold/],
    [{ APPROVAL_REMINDER_HOURS: '48' }, /APPROVAL_REMINDER_HOURS < APPROVAL_NEXT_CONTACT_HOURS/],
    [{ APPROVAL_TIMEOUT_HOURS: '24' }, /APPROVAL_TIMEOUT_HOURS must hold/],
  ])('rejects a ladder out of order (%j)', (env, message) => {
    expect(configErrorOf(env).message).toMatch(message);
  });

  it('accepts a ladder in order, in fractions of hours', () => {
    const config = loadConfig({
      ESCALATION_REMINDER_HOURS: '0.25',
      ESCALATION_NEXT_CONTACT_HOURS: '0.5',
      ESCALATION_AUTO_ACTION_HOURS: '1',
    });
    expect(config.ESCALATION_REMINDER_HOURS).toBe(0.25);
  });
});

describe('onboardingOptionsFrom', () => {
  it('uses the default policies and converts ladder hours to milliseconds', () => {
    const options = onboardingOptionsFrom(
      loadConfig({
        ESCALATION_REMINDER_HOURS: '0.5',
        ESCALATION_NEXT_CONTACT_HOURS: '2',
        ESCALATION_AUTO_ACTION_HOURS: '10',
        ESCALATION_AUTO_ACTION: 'skip',
        APPROVAL_REMINDER_HOURS: '1',
        APPROVAL_NEXT_CONTACT_HOURS: '3',
        APPROVAL_TIMEOUT_HOURS: '6',
        ESCALATION_CONTACTS: 'oncall@example.com',
        CONSOLE_HOST: 'console.local',
        CONSOLE_ALLOW_INSECURE_BIND: 'true', // a host beyond loopback needs the override (src/apps/console/startup-checks.ts)
        CONSOLE_PORT: '8080',
      }),
    );

    // The email and chat steps retry for the 4 h default budget, waiting at most 2 min between tries.
    const budgeted = { retryBudgetMs: 4 * HOUR_MS, maximumIntervalMs: 120_000 };
    expect(options.policies).toEqual({
      ...DEFAULT_STEP_POLICIES,
      sendWelcomeEmail: { ...DEFAULT_STEP_POLICIES.sendWelcomeEmail, ...budgeted },
      notifyTeam: { ...DEFAULT_STEP_POLICIES.notifyTeam, ...budgeted },
    });
    expect(options.supportPolicy).toEqual(DEFAULT_SUPPORT_POLICY);
    expect(options.escalation).toEqual({
      contacts: ['oncall@example.com'],
      ladder: {
        reminderAfterMs: 0.5 * HOUR_MS,
        nextContactAfterMs: 2 * HOUR_MS,
        automaticActionAfterMs: 10 * HOUR_MS,
        automaticAction: 'skip',
      },
    });
    expect(options.approval).toEqual({
      privilegedPermissions: ['admin', 'root', 'billing-admin', 'security-admin'],
      ladder: {
        reminderAfterMs: 1 * HOUR_MS,
        nextContactAfterMs: 3 * HOUR_MS,
        automaticActionAfterMs: 6 * HOUR_MS,
        automaticAction: 'abort',
      },
    });
    expect(options.faults).toEqual({});
    expect(options.consoleUrl).toBe('http://console.local:8080');
  });

  it('applies a STEP_POLICIES override to that one step only, keeping its other fields', () => {
    const defaultsBefore = structuredClone(DEFAULT_STEP_POLICIES);
    const options = onboardingOptionsFrom(
      loadConfig({ STEP_POLICIES: '{"createWorkspace":{"maximumAttempts":9,"initialIntervalMs":250}}' }),
    );

    expect(options.policies.createWorkspace).toEqual({
      ...DEFAULT_STEP_POLICIES.createWorkspace!,
      maximumAttempts: 9,
      initialIntervalMs: 250,
    });
    const unbudgeted = onboardingOptionsFrom(loadConfig({})).policies;
    for (const step of ONBOARDING_STEPS.filter((s) => s !== 'createWorkspace')) {
      expect(options.policies[step]).toEqual(unbudgeted[step]); // undefined for the manual step: it has no policy
    }
    // The defaults themselves are untouched, so the next run starts from them again.
    expect(DEFAULT_STEP_POLICIES).toEqual(defaultsBefore);
    expect(onboardingOptionsFrom(loadConfig({})).policies.createWorkspace!.maximumAttempts).toBe(
      defaultsBefore.createWorkspace!.maximumAttempts,
    );
  });
});

describe('retry budgets of the email and chat steps', () => {
  it('come from RETRY_BUDGET_EMAIL_MS / RETRY_BUDGET_CHAT_MS / RETRY_MAX_INTERVAL_MS, and 0 turns one off', () => {
    const options = onboardingOptionsFrom(
      loadConfig({ RETRY_BUDGET_EMAIL_MS: '600000', RETRY_BUDGET_CHAT_MS: '0', RETRY_MAX_INTERVAL_MS: '20000' }),
    );
    expect(options.policies.sendWelcomeEmail).toMatchObject({ retryBudgetMs: 600_000, maximumIntervalMs: 20_000 });
    expect(options.policies.notifyTeam).toEqual(DEFAULT_STEP_POLICIES.notifyTeam);
    expect(options.policies.createAccount!.retryBudgetMs).toBeUndefined();
  });

  it('a STEP_POLICIES override wins over the budget', () => {
    const options = onboardingOptionsFrom(loadConfig({ STEP_POLICIES: '{"sendWelcomeEmail":{"retryBudgetMs":0,"maximumAttempts":2}}' }));
    expect(options.policies.sendWelcomeEmail).toMatchObject({ retryBudgetMs: 0, maximumAttempts: 2 });
  });

  it('refuses a budget that is not a number of milliseconds', () => {
    expect(configErrorOf({ RETRY_BUDGET_EMAIL_MS: 'four hours' }).message).toMatch(/RETRY_BUDGET_EMAIL_MS/);
    expect(configErrorOf({ RETRY_MAX_INTERVAL_MS: '5' }).message).toMatch(/RETRY_MAX_INTERVAL_MS/);
  });
});
