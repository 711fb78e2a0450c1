/**
 * A process's summary for the team (e.g. a pipeline batch's counts), posted to the team webhook once per run
 * and purpose, through the delivery ledger like every chat message.
 */
import { postToTeamOnce, type ChatDependencies } from '../kit/chat';
import { stepActivity, idempotencyKey } from '../kit/step-attempt';

/** The team-summary activity bound to the team webhook and the delivery ledger. */
export function createTeamSummaryActivities(deps: ChatDependencies) {
  return {
    /** Posts the summary; a retry, or a replay of the run, finds it delivered and posts nothing. */
    postTeamSummary: stepActivity(async (input: { purpose: string; text: string }) => ({
      deliveryId: await postToTeamOnce(deps, idempotencyKey(input.purpose), `:bar_chart: ${input.text}`),
    })),
  };
}

export type TeamSummaryActivities = ReturnType<typeof createTeamSummaryActivities>;
