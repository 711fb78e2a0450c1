/** The installed processes as the questionnaire reads them: their shapes, the event types routed to them, their code. */
import { INSTALLED } from '../registry';
import type { ProcessSummary } from './examples';

/** The processes a user can start, each with where its code is. */
export function installedProcesses(): ProcessSummary[] {
  return INSTALLED.flatMap((p) =>
    p.definitions
      .filter((d) => !d.internal)
      .map((d) => ({ shape: d.shape, eventTypes: (d.events ?? []).map((e) => e.type), path: `workflows/${p.folder}/` })),
  );
}
