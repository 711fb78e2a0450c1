/**
 * promtool, built from the Go module proxy: checks Overture's Prometheus rules (`promtool check rules`) and runs
 * their unit tests (`promtool test rules`, deploy/prometheus/rules/*.test.yml) in the e2e tier. Prometheus
 * publishes its Go module as v0.<major*100+minor>.<patch>: v0.316.0 is Prometheus 3.16.0. Its go.mod has no
 * replace or exclude directive, so `go install …/cmd/promtool@v0.316.0` builds it as released (the first build
 * compiles ~1,000 packages, most for service discovery: about 10 minutes on 2 cores; then it is cached).
 */
import { provisionGoTool, type GoTool } from './helm-go-tool';

/** The promtool release the rules are checked with. */
export const PROMTOOL: GoTool = {
  name: 'promtool',
  version: 'v0.316.0',
  goPackage: 'github.com/prometheus/prometheus/cmd/promtool',
  howElse:
    'Install Go (https://go.dev/dl) and run `npm run deploy-tools:provision`, or put the promtool of a Prometheus 3 release (https://prometheus.io/download) in that directory.',
};

/** The cached promtool binary, built first if it is not there yet. */
export function provisionPromtool(options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Promise<string> {
  return provisionGoTool(PROMTOOL, options);
}
