/**
 * Every activity of the data pipeline, bound to its systems: the inbox and URLs it reads, the staging folder it
 * works in, the warehouse it loads, and the team webhook its summary goes to.
 */
import type { SqliteWarehouse } from './sqlite-warehouse';
import type { ChatDependencies } from '../kit/chat';
import { createPipelineSourceActivities } from './source';
import { createPipelineStagingActivities } from './staging';
import { createTeamSummaryActivities } from './team-summary';
import { createWarehouseActivities } from './warehouse';

export interface PipelineDependencies {
  inboxDir: string;
  stagingDir: string;
  warehouse: SqliteWarehouse;
  chat: ChatDependencies;
}

/** The pipeline's activities on the given inbox, staging folder, warehouse and team webhook. */
export function createPipelineActivities(deps: PipelineDependencies) {
  return {
    ...createPipelineSourceActivities({ inboxDir: deps.inboxDir, stagingDir: deps.stagingDir }),
    ...createPipelineStagingActivities({ stagingDir: deps.stagingDir }),
    ...createWarehouseActivities({ warehouse: deps.warehouse, stagingDir: deps.stagingDir }),
    ...createTeamSummaryActivities(deps.chat),
  };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;
