/**
 * The child process of ./bundle-apart.ts: bundles the workflow code with the options given as its argument, sends
 * the code to its parent and exits, taking webpack's memory with it.
 */
import { DefaultLogger } from '@temporalio/worker';
import type { ApartBundleMessage, ApartBundleOptions } from './bundle-apart';
import { bundleWorkflows } from './workflow-bundle';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ApartBundleOptions;
  const { code } = await bundleWorkflows({ ...options, logger: new DefaultLogger('WARN') });
  // A parent that gave up meanwhile (e.g. its worker could not reach Temporal and exited) wants no answer.
  if (process.connected) await new Promise<void>((resolve) => process.send!({ code } satisfies ApartBundleMessage, () => resolve()));
}

main()
  .catch((err: unknown) => {
    if (process.connected) process.send!({ error: err instanceof Error ? err.message : String(err) } satisfies ApartBundleMessage);
    process.exitCode = 1;
  })
  // Disconnecting a channel the parent already closed would throw ERR_IPC_DISCONNECTED and crash the child loudly.
  .finally(() => process.connected && process.disconnect());
