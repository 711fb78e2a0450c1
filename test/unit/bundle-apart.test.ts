/**
 * A worker started without a prebuilt bundle bundles its workflow code in a child process
 * (src/registry/bundle-apart.ts), so that webpack's memory leaves with the child. The bundle it gets back is the
 * worker's: the lazy entry, the preloaded kit, and the interceptor modules asked for (tracing's, when on).
 */
import { bundleWorkflowsApart } from '../../src/registry/bundle-apart';
import { WORKFLOW_TRACING_MODULE } from '../../src/temporal/observability/tracing';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/codec/data-converter';

it('returns the whole workflow code, bundled in a child process with the interceptor modules asked for', async () => {
  const bundle = await bundleWorkflowsApart({
    failureConverterPath: FAILURE_CONVERTER_PATH,
    workflowInterceptorModules: [WORKFLOW_TRACING_MODULE],
  });
  if (!('code' in bundle)) throw new Error('expected the code');
  expect(bundle.code).toContain('Written by src/registry/workflow-bundle.ts');
  expect(bundle.code).toContain('interceptors-opentelemetry/lib/workflow-interceptors');
  expect(bundle.code).toMatch(/exports\.preloadModules = function preloadModules\(\) \{\s*__webpack_require__/);
}, 120_000);

it('says why when the child cannot bundle', async () => {
  await expect(bundleWorkflowsApart({ workflowInterceptorModules: ['/nowhere/interceptors.ts'] })).rejects.toThrow(
    /bundling the workflow code failed/,
  );
}, 120_000);
