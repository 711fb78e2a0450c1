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
  await new Promise<void>((resolve) => process.send!({ code } satisfies ApartBundleMessage, () => resolve()));
}

main()
  .catch((err: unknown) => {
    process.send?.({ error: err instanceof Error ? err.message : String(err) } satisfies ApartBundleMessage);
    process.exitCode = 1;
  })
  .finally(() => process.disconnect?.());
