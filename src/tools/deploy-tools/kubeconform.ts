/**
 * kubeconform, built from the Go module proxy: validates the chart's rendered manifests against the Kubernetes JSON
 * schemas generated offline by ./kubeconform-schemas (it never downloads a schema here).
 */
import { provisionGoTool, type GoTool } from './helm-go-tool';

/** The kubeconform release the chart is checked with. */
export const KUBECONFORM: GoTool = {
  name: 'kubeconform',
  version: 'v0.8.0',
  goPackage: 'github.com/yannh/kubeconform/cmd/kubeconform',
  howElse:
    'Install Go (https://go.dev/dl) and run `npm run deploy-tools:provision`, or install kubeconform (https://github.com/yannh/kubeconform/releases).',
};

/** The cached kubeconform binary, built first if it is not there yet. */
export function provisionKubeconform(options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Promise<string> {
  return provisionGoTool(KUBECONFORM, options);
}
