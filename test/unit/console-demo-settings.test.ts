/**
 * The console demo's switch and bounds: OVERTURE_DEMO is off unless set (a bad value says what it must be),
 * `npm start` turns it on unless told otherwise, the sandbox's configuration points nowhere real, and one operator
 * runs one demo at a time and a few per window.
 */
import { loadConfig } from '../../src/config';
import { demoConfig, demoTaskQueue } from '../../activities/kit/demo-sandbox';
import { DemoGate } from '../../src/apps/console/demo-routes';
import { HttpError } from '../../src/apps/console/http-helpers';
import { stackEnvironment } from '../../src/tools/dev-stack/start';
import { problemOf } from '../helpers/config-errors';

describe('OVERTURE_DEMO', () => {
  it('is off unless set, and on or off only', () => {
    expect(loadConfig({}).OVERTURE_DEMO).toBe('off');
    expect(loadConfig({ OVERTURE_DEMO: 'on' }).OVERTURE_DEMO).toBe('on');
    expect(problemOf({ OVERTURE_DEMO: 'yes' })).toContain('OVERTURE_DEMO: must be on or off');
  });

  it('is on in the stack npm start runs, unless the environment says otherwise', () => {
    expect(loadConfig(stackEnvironment({})).OVERTURE_DEMO).toBe('on');
    expect(loadConfig(stackEnvironment({ OVERTURE_DEMO: '' })).OVERTURE_DEMO).toBe('on');
    expect(loadConfig(stackEnvironment({ OVERTURE_DEMO: 'off' })).OVERTURE_DEMO).toBe('off');
  });

  it('gives the sandbox its own task queue and no configured store, relay or webhook', () => {
    const config = loadConfig({
      TEMPORAL_TASK_QUEUE: 'overture',
      SMTP_URL: 'smtp://relay.example.com:587',
      NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/team',
      DIRECTORY_URL: 'postgresql://overture@db.example.com/directory',
    });
    const sandboxed = demoConfig(config);
    expect(demoTaskQueue(config)).toBe('overture-demo');
    expect(sandboxed).toMatchObject({ TEMPORAL_TASK_QUEUE: 'overture-demo', DIRECTORY_URL: undefined, directoryDbPath: ':memory:' });
    expect(sandboxed.smtpUrl).toMatch(/\.invalid$/);
    expect(new URL(sandboxed.webhookUrl).hostname).toMatch(/\.invalid$/);
  });
});

describe('DemoGate', () => {
  const statusOf = (run: () => unknown): number | undefined => {
    try {
      run();
      return undefined;
    } catch (err) {
      if (err instanceof HttpError) return err.status;
      throw err;
    }
  };

  it('lets each operator run one demo at a time', () => {
    const gate = new DemoGate(5, 60_000);
    const release = gate.begin('ops.ada');
    expect(statusOf(() => gate.begin('ops.ada'))).toBe(409);
    // Another operator is not held up.
    expect(statusOf(() => gate.begin('ops.bob'))).toBeUndefined();
    release();
    expect(statusOf(() => gate.begin('ops.ada'))).toBeUndefined();
  });

  it('allows a few demos per window, then says when to try again', () => {
    let now = 1_000_000;
    const gate = new DemoGate(2, 60_000, () => now);
    gate.begin('ops.ada')();
    now += 10_000;
    gate.begin('ops.ada')();
    let refused: HttpError | undefined;
    try {
      gate.begin('ops.ada');
    } catch (err) {
      refused = err as HttpError;
    }
    expect(refused?.status).toBe(429);
    expect(refused?.headers).toEqual({ 'Retry-After': '50' });
    now += 50_000;
    expect(statusOf(() => gate.begin('ops.ada'))).toBeUndefined();
  });
});
