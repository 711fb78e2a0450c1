/**
 * The worker's side of the `kpis` workflow sink (workflows/kit/kpi-events.ts): every report a run makes is upserted
 * into the KPI projection. Called during replay too, so a worker that crashed before a write loses nothing (the next
 * worker's replay sends the rows again), and the store's seq guard makes the repeat harmless.
 */
import type { InjectedSinks } from '@temporalio/worker';
import type { KpiRow, KpiSinks } from '../../../workflows/kit/kpi-events';
import type { OvertureConfig } from '../../config/platform';
import { openKpiStore } from './open';
import type { KpiStore } from './store';

/** The sink's registration for Worker.create, and how to close its store when the worker stops. */
export interface KpiSink {
  sinks: InjectedSinks<KpiSinks>;
  close(): Promise<void>;
}

/** A sink writing to `store` (opened when first needed if a promise): the same upserts whatever the database. */
export function kpiSink(store: KpiStore | (() => Promise<KpiStore>)): KpiSink {
  let opened: Promise<KpiStore> | undefined = typeof store === 'function' ? undefined : Promise.resolve(store);
  const open = () => (opened ??= (store as () => Promise<KpiStore>)());
  return {
    sinks: {
      kpis: {
        record: {
          // The SDK logs a failed write with the run's ids; the next replay of the run writes it again.
          fn: async (_info, rows: KpiRow[]) => (await open()).record(rows),
          callDuringReplay: true,
        },
      },
    },
    close: async () => {
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
}

/** The configured projection's sink (KPIS_URL, else kpis.db in the data directory), opened at the first report. */
export function configuredKpiSink(config: Pick<OvertureConfig, 'KPIS_URL' | 'kpisDbPath'>, log?: (line: string) => void): KpiSink {
  return kpiSink(() => openKpiStore(config, log));
}

/** A sink that keeps nothing, for workers whose runs are not the team's (the console's demo). */
export function discardedKpis(): InjectedSinks<KpiSinks> {
  return { kpis: { record: { fn: () => undefined, callDuringReplay: false } } };
}
