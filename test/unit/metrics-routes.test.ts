/**
 * Request labels stay bounded and free of ids: every console and gateway path maps to a route template, and a
 * census is taken once however many gauges and scrapers ask within its time to live.
 */
import { consoleRoute, gatewayRoute } from '../../src/temporal/observability/metrics-http';
import { cachedCensus, type Census } from '../../src/temporal/observability/metrics-census';

test.each([
  ['/', '/'],
  ['/healthz', '/healthz'],
  ['/login', '/login'],
  ['/act', '/act'],
  ['/codec/decode', '/codec'],
  ['/auth/oidc/callback', '/auth/oidc'],
  ['/runs/onboarding-E123', '/runs/:id'],
  ['/app.js', '/static'],
  ['/pages/runs.js', '/static'],
  ['/vendor/preact.mjs', '/static'],
  ['/a/b/c.js', 'other'],
  ['/api/runs', '/api/runs'],
  ['/api/runs/onboarding-E123', '/api/runs/:id'],
  ['/api/runs/onboarding-E123/approve', '/api/runs/:id/approve'],
  ['/api/runs/onboarding-E123/whatever', '/api/runs/:id/other'],
  ['/api/escalations/bulk', '/api/escalations/bulk'],
  ['/api/anything-else/x', '/api/other'],
  ['/api/runs/a/b/c/d', 'other'],
  ['/wp-admin/setup.php', 'other'],
])('console %s is %s', (path, route) => {
  expect(consoleRoute(path)).toBe(route);
});

test.each([
  ['/events/hr.employee-hired', '/events/:type'],
  ['/readyz', '/readyz'],
  ['/events/a/b', 'other'],
  ['/', 'other'],
])('gateway %s is %s', (path, route) => {
  expect(gatewayRoute(path)).toBe(route);
});

test('a census is reused within its time to live, shared while it is taken, and retried after a failure', async () => {
  let clock = 0;
  let taken = 0;
  let fail = false;
  const census: Census = { questions: [], truncated: false, runs: [], systems: [] };
  const get = cachedCensus(
    async () => {
      taken += 1;
      if (fail) throw new Error('Temporal unreachable');
      return census;
    },
    10_000,
    () => clock,
  );
  await Promise.all([get(), get(), get()]);
  expect(taken).toBe(1);
  clock = 9_999;
  await get();
  expect(taken).toBe(1);
  clock = 10_000;
  fail = true;
  await expect(get()).rejects.toThrow('unreachable');
  fail = false;
  await expect(get()).resolves.toBe(census);
  expect(taken).toBe(3);
});
