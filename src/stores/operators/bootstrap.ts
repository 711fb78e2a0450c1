/**
 * The first operator of a fresh stack: `npm start` makes an `admin` (role admin) when the operator store is
 * empty, and writes its token to `<data dir>/admin-token`, readable by the owner only. The token is never
 * printed: the stack's output goes to terminals and log files others may read. With the operators shared by several
 * hosts (OPERATORS_URL), only the host that found the store empty writes the file.
 */
import fs from 'node:fs';
import { adminTokenPath } from '../../apps/cli/identity';
import type { OvertureConfig } from '../../config/platform';
import { openOperators } from '../open';
import { OperatorError } from './store';

export const BOOTSTRAP_ADMIN = 'admin';

/** Creates the bootstrap admin and its token file when there are no operators yet; says where the token is. */
export async function ensureBootstrapAdmin(
  config: Pick<OvertureConfig, 'OVERTURE_DATA_DIR' | 'OPERATORS_URL'>,
  log: (line: string) => void,
): Promise<void> {
  const dataDir = config.OVERTURE_DATA_DIR;
  const store = await openOperators(config, log);
  try {
    if ((await store.list()).length > 0) return;
    const file = adminTokenPath(dataDir);
    let token: string;
    try {
      ({ token } = await store.add({ name: BOOTSTRAP_ADMIN, role: 'admin' }));
    } catch (err) {
      // Another host sharing the store made it first: that host has the token file.
      if (err instanceof OperatorError) return;
      throw err;
    }
    // Written with its mode from the start (no window in which it is readable), replacing a stale file.
    fs.rmSync(file, { force: true });
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    log(`first start: created the operator "${BOOTSTRAP_ADMIN}" (role admin); its token is in ${file} (readable by you only)`);
    log(`sign in to the console with that token; the CLI on this machine uses it until you set OVERTURE_TOKEN`);
    log(`give each person their own token: npx overture operators add NAME --role viewer|operator|approver|admin [--email ADDR]`);
  } finally {
    await store.close();
  }
}
