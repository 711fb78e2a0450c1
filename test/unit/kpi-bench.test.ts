/** The KPI bench's projection: filled through the store's upserts, it holds what the bench claims to time. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteKpiStore } from '../../src/stores/kpis/sqlite-kpis';
import { fillProjection } from '../../src/tools/bench/kpi-bench';
import { processKpis, kpiOverview } from '../../src/kpis/aggregate';
import { ONBOARDING_STEPS } from '../../workflows/onboarding/shape';

it('fills completed onboardings with every step of the shape, some manual, escalated or approved, and the KPIs read them all', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpi-bench-'));
  const store = new SqliteKpiStore(path.join(dir, 'kpis.db'));
  try {
    const now = Date.UTC(2026, 11, 7, 12);
    await fillProjection(store, 200, now);
    const window = { since: now - 8 * 86_400_000, until: now };
    const kpis = await processKpis(store, 'onboarding', window, ONBOARDING_STEPS);
    expect(kpis.runs).toMatchObject({ started: 200, completed: 200, failed: 0, aborted: 0 });
    expect(kpis.steps.map((s) => s.step)).toEqual(ONBOARDING_STEPS);
    expect(kpis.steps.every((s) => s.runs === 200)).toBe(true);
    const equipment = kpis.steps.find((s) => s.step === 'requestEquipment')!;
    expect(equipment.manual.runs).toBe(20);
    expect(equipment.automated.runs).toBe(180);
    expect(kpis.steps.find((s) => s.step === 'sendWelcomeEmail')!.escalationRate).toBe(0.04);
    expect(kpis.approvalLatency.count).toBe(40);
    expect((await kpiOverview(store, window)).processes).toEqual([expect.objectContaining({ process: 'onboarding', completed: 200 })]);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
