/** The shapes of every registered process, for configuration that names steps (STEP_POLICIES). */
import { CONTENT_PUBLISHING } from '../../workflows/content-publishing/shape';
import { FINANCIAL_CLOSE, RECONCILE_ENTITY } from '../../workflows/financial-close/shape';
import { ONBOARDING } from '../../workflows/onboarding/shape';
import { DATA_PIPELINE, PIPELINE_BACKFILL, TRANSFORM_PARTITION } from '../../workflows/data-pipeline/shape';

export const PROCESS_SHAPES = [ONBOARDING, FINANCIAL_CLOSE, RECONCILE_ENTITY, CONTENT_PUBLISHING, DATA_PIPELINE, TRANSFORM_PARTITION, PIPELINE_BACKFILL];

/** Every step name of every process (names may repeat across processes: the policy applies to each). */
export const PROCESS_STEP_NAMES = [...new Set(PROCESS_SHAPES.flatMap((s) => s.steps.map((step) => step.name)))] as [string, ...string[]];
