/** Helm, built from the Go module proxy: renders and lints the chart in deploy/helm (`helm lint`, `helm template`). */
import { provisionGoTool, type GoTool } from './helm-go-tool';

/** The Helm release the chart is checked with. */
export const HELM: GoTool = {
  name: 'helm',
  version: 'v3.22.1',
  goPackage: 'helm.sh/helm/v3/cmd/helm',
  howElse:
    'Install Go (https://go.dev/dl) and run `npm run deploy-tools:provision`, or install Helm 3 (https://helm.sh/docs/intro/install/).',
};

/** The cached helm binary, built first if it is not there yet. */
export function provisionHelm(options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Promise<string> {
  return provisionGoTool(HELM, options);
}
