// The host table's rows for the host presets: each failure shows as a state with its consequence.

import { describe, expect, it } from 'vitest';
import attachFailed from '../../public/scenarios/host-attach-failed-unbound.json';
import detachLeak from '../../public/scenarios/host-detach-failed-leak.json';
import pasid0Bypass from '../../public/scenarios/host-pasid0-bypass.json';
import piotlb from '../../public/scenarios/host-piotlb-forwarding.json';
import { parseScenario, type Scenario } from '../model/index.ts';
import { cacheViewAt } from './cachesAtEvent.ts';
import { hostRows, hostRowsAt } from './hostRows.ts';
import { createInProcessEngine } from './testing/inProcessEngine.ts';

const FILES: Readonly<Record<string, unknown>> = {
  'host-attach-failed-unbound': attachFailed,
  'host-detach-failed-leak': detachLeak,
  'host-pasid0-bypass': pasid0Bypass,
  'host-piotlb-forwarding': piotlb,
};

function preset(name: string): Scenario {
  const r = parseScenario(FILES[name]);
  if (!r.ok) throw new Error(r.errors[0]?.message);
  return r.scenario;
}

async function rowsOf(name: string) {
  const scenario = preset(name);
  const r = await createInProcessEngine().run({ scenario });
  if (!r.ok) throw new Error(r.error.message);
  return hostRows(r.value, '00:02.0', scenario.variant).map((row) => [
    row.pasid,
    row.hwpt,
    row.state,
    row.pgtbl,
  ]);
}

describe('hostRows', () => {
  it('when only the first attachments were sent, rows stop at the last one sent (no false "unbound")', async () => {
    const scenario = preset('host-piotlb-forwarding');
    const r = await createInProcessEngine().run({ scenario });
    if (!r.ok) throw new Error(r.error.message);
    const host = r.value.caches.host['00:02.0'];
    if (!host) throw new Error('no host state');
    // As the worker sends a device with more than RUN_MAX_HOST_ROWS attachments: the first ones.
    const cut = {
      ...r.value,
      caches: {
        ...r.value.caches,
        host: {
          '00:02.0': {
            ...host,
            attached: { '0': host.attached['0'] ?? 0 },
            totals: { attached: 3, objects: host.objects.length },
          },
        },
      },
    };
    const rows = hostRows(cut, '00:02.0', scenario.variant);
    expect(
      rows.filter((x) => x.state !== 'leaked' || x.kind !== 'fault queue').map((x) => x.pasid),
    ).toEqual([0]);
    expect(rows.some((x) => x.state === 'unbound')).toBe(false);
  });

  it('a hwpt whose allocation the run does not list (long steps) shows the table of its cached entry', async () => {
    const scenario = preset('host-piotlb-forwarding');
    const r = await createInProcessEngine().run({ scenario });
    if (!r.ok) throw new Error(r.error.message);
    // The app's runs list at most RUN_MAX_CHANGES_PER_STEP host calls a step: drop them all.
    const unlisted = {
      ...r.value,
      result: {
        ...r.value.result,
        steps: r.value.result.steps.map((st) => ({ ...st, hostOps: [] })),
      },
    };
    const full = hostRows(r.value, '00:02.0', scenario.variant);
    const rows = hostRows(unlisted, '00:02.0', scenario.variant);
    expect(rows.map((x) => [x.pasid, x.hwpt, x.pgtbl])).toEqual(
      full.map((x) => [x.pasid, x.hwpt, x.pgtbl]),
    );
    expect(rows.find((x) => x.hwpt > 1)?.pgtbl).toBe('0x7000');
  });

  it('attached PASIDs with their hwpt and the page table it was allocated from', async () => {
    expect(await rowsOf('host-piotlb-forwarding')).toEqual([
      [0, 1, 'attached', '—'],
      [5, 2, 'attached', '0x7000'],
      [6, 1, 'attached', '—'],
    ]);
  });

  it('a cached entry whose attach failed is "not bound" (hwpt 0) until the guest changes it', async () => {
    const scenario = preset('host-attach-failed-unbound');
    const early = { ...scenario, steps: scenario.steps.slice(0, 3) };
    const r = await createInProcessEngine().run({ scenario: early });
    if (!r.ok) throw new Error(r.error.message);
    const rows = hostRows(r.value, '00:02.0', 'series');
    expect(rows.map((x) => [x.pasid, x.hwpt, x.state])).toEqual([
      [0, 1, 'attached'],
      [5, 0, 'unbound'],
    ]);
    expect(rows[1]?.text).toBe(
      'entry cached, not bound: QEMU retries only when the guest entry changes',
    );
  });

  it("a first-stage PASID 0 left on the parent is a bypass; a failed detach's hwpt and fault queue leak", async () => {
    expect(await rowsOf('host-pasid0-bypass')).toEqual([[0, 1, 'bypass', '—']]);
    expect(await rowsOf('host-detach-failed-leak')).toEqual([
      [0, 1, 'attached', '—'],
      [5, 3, 'leaked', '0x7000'],
      [5, 2, 'leaked', '—'],
    ]);
  });

  it('at the playhead: the host as it was at that event, the final rows at the last event', async () => {
    const scenario = preset('host-detach-failed-leak');
    const r = await createInProcessEngine().run({ scenario });
    if (!r.ok) throw new Error(r.error.message);
    const run = r.value;
    const { trace } = run.result;
    const at = (e: number) =>
      hostRowsAt(run, '00:02.0', 'series', e, cacheViewAt(scenario, run, e)).map((row) => [
        row.pasid,
        row.hwpt,
        row.state,
        row.pgtbl,
      ]);
    // Before any call: PASID 0 on the nesting parent, as VFIO left it at plug.
    expect(at(0)).toEqual([[0, 1, 'attached', '—']]);
    // The end of step 0: PASID 5 bound to its first-stage hwpt 3 (its fault queue is hwpt 2's id).
    const endOfStep0 = (trace.stepStart[1] ?? 0) - 1;
    expect(at(endOfStep0)).toEqual([
      [0, 1, 'attached', '—'],
      [5, 3, 'attached', '0x7000'],
    ]);
    // The last event: the run's own final state.
    expect(at(trace.length - 1)).toEqual(await rowsOf('host-detach-failed-leak'));
  });

  it('at the playhead: a failed first-stage bind of PASID 0 shows as the bypass it is', async () => {
    const scenario = preset('host-pasid0-bypass');
    const r = await createInProcessEngine().run({ scenario });
    if (!r.ok) throw new Error(r.error.message);
    const run = r.value;
    const { trace } = run.result;
    // The event after the first step's last: the cache holds PASID 0 (first-stage), the host does
    // not have it on a first-stage hwpt.
    const e = (trace.stepStart[1] ?? trace.length) - 1;
    expect(e).toBeLessThan(trace.length - 1);
    const rows = hostRowsAt(run, '00:02.0', 'series', e, cacheViewAt(scenario, run, e));
    expect(rows.map((row) => [row.pasid, row.hwpt, row.state])).toEqual([[0, 1, 'bypass']]);
  });
});
