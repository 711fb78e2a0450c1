/**
 * Every activity of the data pipeline, bound to its systems: the inbox and the allowed URLs it reads, the staging folder it
 * works in, the warehouse it loads, and the team webhook its summary goes to.
 */
import type { Warehouse } from './warehouse-store';
import type { ChatDependencies } from '../kit/chat';
import { createPipelineSourceActivities } from './source';
import { createPipelineStagingActivities } from './staging';
import { createTeamSummaryActivities } from './team-summary';
import { createWarehouseActivities } from './warehouse';
import type { SourceLimits } from './source-limits';

export interface PipelineDependencies {
  inboxDir: string;
  stagingDir: string;
  warehouse: Warehouse;
  chat: ChatDependencies;
  /** The hosts each dataset's URL sources may be on (PIPELINE_SOURCE_HOSTS). */
  sourceHosts?: Readonly<Record<string, readonly string[]>>;
  /** Bounds on a source file, its lines and its header. */
  sourceLimits?: Partial<SourceLimits>;
}

/** The pipeline's activities on the given inbox, staging folder, warehouse and team webhook. */
export function createPipelineActivities(deps: PipelineDependencies) {
  return {
    ...createPipelineSourceActivities({
      inboxDir: deps.inboxDir,
      stagingDir: deps.stagingDir,
      sourceHosts: deps.sourceHosts,
      limits: deps.sourceLimits,
    }),
    ...createPipelineStagingActivities({ stagingDir: deps.stagingDir, limits: deps.sourceLimits }),
    ...createWarehouseActivities({ warehouse: deps.warehouse, stagingDir: deps.stagingDir }),
    ...createTeamSummaryActivities(deps.chat),
  };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;
