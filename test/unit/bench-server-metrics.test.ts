/** The Temporal server's counters from its Prometheus text, per run of a phase. */
import { parseCounters, requestsPerRun } from '../../src/tools/bench/server-metrics';

const exposition = (start: number, updates: number, queries: number) =>
  [
    '# HELP service_requests service_requests counter',
    '# TYPE service_requests counter',
    `service_requests{namespace="default",operation="StartWorkflowExecution",service_name="frontend"} ${start}`,
    `service_requests{namespace="_unknown_",operation="StartWorkflowExecution",service_name="frontend"} 1`,
    `service_requests{namespace="default",operation="QueryWorkflow",service_name="frontend"} ${queries}`,
    `persistence_requests{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} ${updates}`,
    `visibility_persistence_requests{namespace="default",operation="RecordWorkflowExecutionStarted",service_name="history"} ${start}`,
    `service_latency_bucket{namespace="default",operation="StartWorkflowExecution",le="0.1"} 999`,
  ].join('\n');

describe('server metrics', () => {
  it('reads the request counters by kind, service and operation, summed over namespaces, and nothing else', () => {
    expect(parseCounters(exposition(10, 30, 0))).toEqual(
      new Map([
        ['service frontend StartWorkflowExecution', 11],
        ['service frontend QueryWorkflow', 0],
        ['persistence history UpdateWorkflowExecution', 30],
        ['visibility history RecordWorkflowExecutionStarted', 10],
      ]),
    );
  });

  it('gives what a phase added per run, with the queries apart', () => {
    const before = parseCounters(exposition(10, 30, 0));
    const after = parseCounters(exposition(14, 46, 2));
    expect(requestsPerRun(before, after, 4)).toEqual({
      serviceRequests: 1.5,
      persistenceRequests: 4,
      visibilityRequests: 1,
      top: {
        'service frontend StartWorkflowExecution': 1,
        'service frontend QueryWorkflow': 0.5,
        'persistence history UpdateWorkflowExecution': 4,
        'visibility history RecordWorkflowExecutionStarted': 1,
      },
      queries: 0.5,
    });
  });
});
