/**
 * Overture's logger (src/logging): JSON lines with a level, readable lines for a terminal, LOG_LEVEL filtering and
 * its validation, masking of personal data, and the Temporal SDK's attributes as run, process and step.
 */
import { PassThrough } from 'node:stream';
import { ConfigError, loadConfig } from '../../src/config';
import { createLogger, lineLogger, resolveFormat } from '../../src/logging/logger';
import { readableLine } from '../../src/logging/readable';
import { loggingSettingsFrom, type LoggingSettings } from '../../src/logging/settings';
import { PinoTemporalLogger } from '../../src/logging/temporal-logger';
import { processOfWorkflow } from '../../src/logging/worker-logger';

/** A logger writing to memory; `lines()` is what it wrote, one string a line. */
function capture(settings: Partial<LoggingSettings>, opts: { isTTY?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const out = Object.assign(new PassThrough(), { isTTY: opts.isTTY });
  let written = '';
  out.on('data', (chunk: Buffer) => (written += chunk.toString()));
  const logger = createLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'auto', ...settings }, { out, env: opts.env ?? {} });
  return { logger, lines: () => written.split('\n').filter(Boolean) };
}

describe('the log format', () => {
  it('is JSON lines with an ISO time and a level name when not on a terminal', () => {
    const { logger, lines } = capture({});
    logger.child({ component: 'worker' }).info('worker polling task queue overture');
    const [line] = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(line).toMatchObject({ level: 'info', component: 'worker', msg: 'worker polling task queue overture' });
    expect(line!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("is readable on a terminal: time, level, component, message, the run's fields, then the others", () => {
    const { logger, lines } = capture({}, { isTTY: true });
    logger
      .child({ component: 'worker' })
      .warn({ note: 'two words', taskQueue: 'overture', runId: 'r-1', process: 'onboarding', step: 'createAccount' }, 'Activity failed');
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[worker\] Activity failed process=onboarding step=createAccount runId=r-1 note="two words"$/,
    );
  });

  it('escapes control characters in a readable line, so no one can forge another line', () => {
    const line = readableLine({ level: 'info', time: '2026-12-07T07:00:00.000Z', component: 'console', msg: 'Ada\r\n[console] mallory' });
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).toContain('[console] Ada');
  });

  it('follows LOG_FORMAT, and NODE_ENV=production means JSON even on a terminal', () => {
    expect(resolveFormat('auto', {}, true)).toBe('pretty');
    expect(resolveFormat('auto', {}, false)).toBe('json');
    expect(resolveFormat('auto', { NODE_ENV: 'production' }, true)).toBe('json');
    expect(resolveFormat('json', {}, true)).toBe('json');
    expect(resolveFormat('pretty', { NODE_ENV: 'production' }, false)).toBe('pretty');
  });
});

describe('LOG_LEVEL', () => {
  it('drops the lines below it', () => {
    const { logger, lines } = capture({ LOG_LEVEL: 'warn' });
    logger.debug('debug line');
    logger.info('info line');
    logger.warn('warn line');
    logger.error('error line');
    expect(lines().map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['warn line', 'error line']);
  });

  it('is validated with the configuration, in any case; blank is the default', () => {
    expect(loadConfig({ LOG_LEVEL: 'DEBUG' }).LOG_LEVEL).toBe('debug');
    expect(loadConfig({ LOG_LEVEL: '' }).LOG_LEVEL).toBe('info');
    expect(loadConfig({}).LOG_FORMAT).toBe('auto');
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent/);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT: must be one of auto, json, pretty/);
    // Before the configuration is loaded, an unknown value is the default rather than a crash.
    expect(loggingSettingsFrom({ LOG_LEVEL: 'verbose', LOG_FORMAT: 'json' })).toEqual({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
  });
});

describe('personal data', () => {
  it('masks email addresses in messages, string fields and errors, and redacts sensitive keys', () => {
    const { logger, lines } = capture({});
    logger.info(
      { to: 'ada@example.com', email: 'ada@example.com', hire: { fullName: 'Ada Lovelace' }, token: 'ovt_x' },
      'mail to ada@example.com',
    );
    logger.warn({ err: new Error('550 no mailbox ada@example.com') }, 'send failed');
    const text = lines().join('\n');
    expect(text).not.toContain('ada@example.com');
    expect(text).not.toContain('Lovelace');
    expect(text).not.toContain('ovt_x');
    const [first, second] = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ msg: 'mail to <email>', to: '<email>', email: '<redacted>', hire: { fullName: '<redacted>' } });
    expect(second).toMatchObject({ err: { message: '550 no mailbox <email>' } });
  });
});

describe('the Temporal SDK on the logger', () => {
  it("names an activity's run, process and step, and leaves its task token out", () => {
    const { logger, lines } = capture({});
    const temporal = new PinoTemporalLogger(logger, processOfWorkflow);
    temporal.warn('Activity failed', {
      sdkComponent: 'worker',
      workflowId: 'onboarding-N13',
      workflowRunId: 'run-1',
      workflowType: 'onboarding',
      activityType: 'createAccount',
      attempt: 2,
      taskToken: 'secret-token',
      error: new Error('injected transient fault'),
    });
    temporal.debug('not shown at info');
    const entries = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 'warn',
      msg: 'Activity failed',
      runId: 'run-1',
      workflowId: 'onboarding-N13',
      process: 'onboarding',
      step: 'createAccount',
      attempt: 2,
      err: { message: 'injected transient fault' },
    });
    expect(JSON.stringify(entries[0])).not.toContain('secret-token');
  });

  it('finds the process of an installed workflow type from the registry', () => {
    expect(processOfWorkflow('onboarding')).toBe('onboarding');
    expect(processOfWorkflow('no-such-workflow')).toBeUndefined();
  });
});

describe('line loggers', () => {
  it('log a part\'s lines under its component, "warning" lines as warnings', () => {
    const { logger, lines } = capture({});
    const log = lineLogger('events', logger);
    log('event gateway: POST http://127.0.0.1:4080/events/<type>');
    log('warning: source hr lists event types no process routes: hr.x');
    log('internal error: boom');
    expect(lines().map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'info', component: 'events' }),
      expect.objectContaining({ level: 'warn', component: 'events' }),
      expect.objectContaining({ level: 'error', component: 'events' }),
    ]);
  });
});
