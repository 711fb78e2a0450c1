/**
 * The build's second half, run from dist/ by `npm run build` (./main.ts) once tsc has compiled: the workflow bundles
 * (plain and traced, ../../registry/prebuilt-bundle.ts), made from the compiled workflows, and the CLI's top-level
 * usage and each command's help as text, which bin/overture.js prints without loading the CLI (a few ms instead of
 * ~1 s of modules).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import { REPO_ROOT } from '../../registry';
import { bundleWorkflows } from '../../registry/workflow-bundle';
import { prebuiltBundlePath } from '../../registry/prebuilt-bundle';
import { FAILURE_CONVERTER_PATH } from '../../temporal/codec/data-converter';
import { WORKFLOW_TRACING_MODULE } from '../../temporal/observability/tracing';
import { commandUsages, USAGE } from '../../apps/cli/main';

/** Where bin/overture.js finds the CLI's top-level usage. */
export const CLI_USAGE_FILE = 'cli-usage.txt';

/** The folder where bin/overture.js finds `overture COMMAND --help`'s text, one COMMAND.txt each. */
export const CLI_HELP_DIR = 'cli-help';

async function main(): Promise<void> {
  fs.writeFileSync(path.join(REPO_ROOT, CLI_USAGE_FILE), `${USAGE}\n`);
  const helpDir = path.join(REPO_ROOT, CLI_HELP_DIR);
  fs.rmSync(helpDir, { recursive: true, force: true });
  fs.mkdirSync(helpDir);
  for (const [name, usage] of Object.entries(commandUsages())) fs.writeFileSync(path.join(helpDir, `${name}.txt`), `${usage}\n`);
  for (const interceptors of [[], [WORKFLOW_TRACING_MODULE]]) {
    const { code } = await bundleWorkflows({
      failureConverterPath: FAILURE_CONVERTER_PATH,
      workflowInterceptorModules: interceptors,
      logger: new DefaultLogger('WARN'),
    });
    const file = prebuiltBundlePath(interceptors);
    fs.writeFileSync(file, code);
    console.log(`${path.relative(process.cwd(), file)}: ${(code.length / 1024).toFixed(0)} KiB`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
