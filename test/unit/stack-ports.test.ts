/**
 * The ports `npm start` checks before it starts anything: every service of the embedded stack, and the worker's
 * metrics endpoint only when metrics are on. A busy one stops start-up with the variable that moves it.
 */
import net from 'node:net';
import { loadConfig } from '../../src/config';
import { busyPortProblem, portsToBind } from '../../src/tools/dev-stack/stack-info';

test('checks the metrics port only when METRICS_PORT turns metrics on', () => {
  const off = portsToBind(loadConfig({}), 7233).map((p) => p.variable);
  expect(off).not.toContain('METRICS_PORT');
  const on = portsToBind(loadConfig({ METRICS_PORT: '9464' }), 7233);
  expect(on).toContainEqual({ port: 9464, what: 'worker metrics endpoint', variable: 'METRICS_PORT' });
});

test('a busy metrics port is named with the variable that moves it', async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    const problem = await busyPortProblem(
      portsToBind(loadConfig({ METRICS_PORT: String(port) }), 0).filter((p) => p.variable === 'METRICS_PORT'),
    );
    expect(problem).toContain(`Port ${port} (worker metrics endpoint)`);
    expect(problem).toContain('METRICS_PORT');
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});
