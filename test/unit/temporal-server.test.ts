import { Connection } from '@temporalio/client';
import { findTemporalBinary } from '../../src/tools/dev-stack/temporal-binary';
import { findFreePort, isPortInUse, startTemporalDevServer, type DevServer } from '../../src/tools/dev-stack/temporal-server';

jest.setTimeout(60_000);

describe('startTemporalDevServer', () => {
  let server: DevServer | undefined;
  afterAll(async () => server?.stop());

  it('starts a headless in-memory dev server with search attributes and stops it', async () => {
    const binary = findTemporalBinary();
    if (!binary) throw new Error('No Temporal CLI found: run `npm run temporal:provision` first.');
    const port = await findFreePort();

    server = await startTemporalDevServer({
      binary,
      port,
      headless: true,
      searchAttributes: [{ name: 'OvertureProbe', type: 'Keyword' }],
    });
    expect(server.address).toBe(`127.0.0.1:${port}`);
    expect(server.namespace).toBe('default');
    expect(server.uiUrl).toBeUndefined();
    expect(await isPortInUse(port)).toBe(true);

    const connection = await Connection.connect({ address: server.address });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      expect(info.capabilities).toBeTruthy();
      const attrs = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(attrs.customAttributes?.OvertureProbe).toBeDefined();
    } finally {
      await connection.close();
    }

    await server.stop();
    await server.stop(); // idempotent
    expect(await isPortInUse(port)).toBe(false);
  });
});
