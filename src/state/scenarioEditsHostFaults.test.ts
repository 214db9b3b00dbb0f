// Host faults name steps and devices by index and BDF: they follow step removals and moves, and
// device renames and removals, and an edit that would make the parser refuse the scenario is not
// made. Also the store's removeStep notice and undo.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HostFault, Scenario } from '../model/index.ts';
import { fixtureStore } from './testing/fixtureStore.ts';
import {
  EMPTY_SCENARIO,
  addHostFault,
  hostFaultNote,
  hostFaultProblem,
  moveStep,
  removeDevice,
  removeHostFault,
  removeStep,
  updateDevice,
  updateHostFault,
  updateIommu,
} from './scenarioEdits.ts';

const inv = (n: bigint) => ({ op: 'invalidate' as const, desc: [7n | (n << 16n), 0n, 0n, 0n] });
const NIC = '00:02.0';
const base: Scenario = {
  ...EMPTY_SCENARIO,
  variant: 'series',
  devices: [
    { bdf: NIC, bus: 0, devfn: 0x10, backend: 'iommufd', maxPasidLog2: 20, pasidAddressSpaces: [] },
    {
      bdf: '00:03.0',
      bus: 0,
      devfn: 0x18,
      backend: 'emulated',
      maxPasidLog2: 0,
      pasidAddressSpaces: [],
    },
  ],
  steps: [inv(1n), inv(2n), inv(3n), inv(4n)],
};
const fault = (step: number, pasid = 5): HostFault => ({ step, bdf: NIC, pasid, op: 'attach' });
const withFaults = (...f: HostFault[]): Scenario => ({ ...base, hostFaults: f });

describe('host faults follow their steps', () => {
  it('a removed step takes its faults; later faults move up', () => {
    const s = withFaults(fault(0), fault(1, 6), fault(3, 7));
    const next = removeStep(s, 1);
    expect(next.hostFaults).toEqual([fault(0), fault(2, 7)]);
    // The last fault gone: the key goes too (as a file without faults has none).
    expect('hostFaults' in removeStep(withFaults(fault(2)), 2)).toBe(false);
  });

  it('a moved step takes its faults along; the steps between shift by one', () => {
    const s = withFaults(fault(0, 10), fault(1, 11), fault(2, 12), fault(3, 13));
    expect(moveStep(s, 0, 2).hostFaults).toEqual([
      fault(2, 10),
      fault(0, 11),
      fault(1, 12),
      fault(3, 13),
    ]);
    expect(moveStep(s, 3, 1).hostFaults).toEqual([
      fault(0, 10),
      fault(2, 11),
      fault(3, 12),
      fault(1, 13),
    ]);
    expect(moveStep(s, 1, 1)).toBe(s);
    expect(moveStep(s, 0, 4)).toBe(s);
  });

  it('any move keeps each fault on the same step object (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 6 }),
        (from, to, on) => {
          const s = withFaults(...on.map((st, i) => fault(st, i)));
          const next = moveStep(s, from, to);
          (next.hostFaults ?? []).forEach((f, i) => {
            expect(next.steps[f.step]).toBe(s.steps[on[i] ?? -1]);
          });
          expect(next.hostFaults?.length ?? 0).toBe(on.length);
        },
      ),
    );
  });

  it('faults follow a renamed device and go with a removed or no longer iommufd one', () => {
    const s = withFaults(fault(0));
    expect(updateDevice(s, 0, { bdf: '00:04.0' }).hostFaults?.[0]?.bdf).toBe('00:04.0');
    expect(updateDevice(s, 0, { backend: 'emulated' }).hostFaults).toBeUndefined();
    expect(removeDevice(s, 0).hostFaults).toBeUndefined();
    expect(removeDevice(s, 1).hostFaults).toEqual([fault(0)]);
  });
});

describe('host fault edits', () => {
  it('adds one on the last step of the first iommufd device, edits and removes it', () => {
    const s = addHostFault(base);
    expect(s.hostFaults).toEqual([{ step: 3, bdf: NIC, pasid: 0, op: 'attach' }]);
    const e = updateHostFault(s, 0, { pasid: 0x41, op: 'detach' });
    expect(e.hostFaults).toEqual([{ step: 3, bdf: NIC, pasid: 0x41, op: 'detach' }]);
    expect(updateHostFault(e, 0, { pasid: 0x41 })).toBe(e);
    expect(removeHostFault(e, 0).hostFaults).toBeUndefined();
    expect(addHostFault({ ...base, steps: [] })).toEqual({ ...base, steps: [] });
  });

  it('refuses an edit the parser would refuse, with the reason', () => {
    const s = withFaults(fault(1));
    for (const patch of [
      { step: 4 },
      { step: -1 },
      { bdf: '00:03.0' },
      { bdf: '00:09.0' },
      { pasid: 0x100000 },
      { pasid: 1.5 },
      { op: 'free' as HostFault['op'] },
    ]) {
      expect(updateHostFault(s, 0, patch)).toBe(s);
      expect(hostFaultProblem(s, { ...fault(1), ...patch })).toBeTruthy();
    }
    expect(hostFaultProblem(s, { ...fault(1), bdf: '00:03.0' })).toBe(
      '00:03.0 is not an iommufd device',
    );
    expect(hostFaultProblem(s, fault(1))).toBeUndefined();
  });

  it('says when a fault can never fire', () => {
    expect(hostFaultNote(base, { ...fault(0), op: 'faultq' })).toMatch(/only with svm/);
    const svm = updateIommu(base, { svm: true });
    expect(hostFaultNote(svm, { ...fault(0), op: 'faultq' })).toBeUndefined();
    expect(hostFaultNote({ ...base, variant: 'seed' }, fault(0))).toMatch(/PASID 0 only/);
    expect(hostFaultNote(updateIommu(base, { fsts: false }), fault(0))).toMatch(/fsts is off/);
    // svm off is written as absent.
    expect('svm' in updateIommu(svm, { svm: false }).iommu).toBe(false);
  });
});

describe('the store', () => {
  it('removing a step with a host fault says so, and undo brings the fault back', async () => {
    const store = await fixtureStore();
    store.getState().submitInvalidation([0x37n, 0n, 0n, 0n]);
    store.getState().addHostFault();
    store.getState().updateHostFault(0, { step: 0, pasid: 5 });
    await store.idle();
    expect(store.getState().scenario.hostFaults).toEqual([
      { step: 0, bdf: NIC, pasid: 5, op: 'attach' },
    ]);
    expect(store.getState().runError).toBeUndefined();
    // The run made that attach fail.
    const ops = store.getState().run?.result.steps[0]?.hostOps ?? [];
    expect(ops.filter((o) => o.op === 'attach' && o.pasid === 5).map((o) => o.ok)).toEqual([false]);
    store.getState().removeStep(0);
    await store.idle();
    expect(store.getState().scenario.hostFaults).toBeUndefined();
    const notice = store.getState().notices.find((n) => n.topic === 'host-faults');
    expect(notice?.title).toBe('Step 1 removed with its host fault');
    store.temporal.getState().undo();
    await store.idle();
    expect(store.getState().scenario.hostFaults).toHaveLength(1);
  });
});
