/** What the console's API routes act on: its own file, so route modules and the route table import it without a cycle. */
import type { Client } from '@temporalio/client';
import type { OvertureConfig } from '../../config/platform';
import type { StartOptions } from '../../client';
import type { EventStreams } from './events';
import type { Sessions } from './session';
import type { ConsoleDemos } from './demo-routes';

/** What the API routes act on. */
export interface ApiContext {
  client: Client;
  config: OvertureConfig;
  log: (line: string) => void;
  /** Options for runs the console starts (tests shorten retry intervals here). */
  startOptions?: Pick<StartOptions, 'tuneOptions'>;
  sessions: Sessions;
  events: EventStreams;
  /** The installed processes' demos, when OVERTURE_DEMO=on; without them, their routes answer 404. */
  demos?: ConsoleDemos;
}
