import { describe, expect, it } from 'vitest';
import { TraceBuilder } from '../trace/traceBuilder.ts';
import { emitAccelRemoved, emitHostCall } from '../trace/traceEmitters.ts';
import { HostCallOp, QemuFn, type Trace } from '../trace/traceFormat.ts';
import { hostStateAt } from './hostReplay.ts';

type Ev = (t: TraceBuilder) => void;
const call =
  (op: HostCallOp, pasid: number, id: number, ok = true, addr?: bigint): Ev =>
  (t) => {
    emitHostCall(t, {
      fn: QemuFn.vtd_device_attach_iommufd,
      device: 0,
      pasid,
      op,
      id,
      ok,
      flags: 0,
      ...(addr !== undefined ? { addr } : {}),
    });
  };
const removed =
  (pasid: number): Ev =>
  (t) => {
    emitAccelRemoved(t, { device: 0, pasid, did: 3 });
  };

/** One trace of steps of events, device 0 = 00:02.0. */
function buildTrace(steps: readonly (readonly Ev[])[], devices: readonly string[]): Trace {
  const t = new TraceBuilder(devices);
  for (const step of steps) {
    t.beginStep();
    for (const ev of step) ev(t);
  }
  return t.snapshot();
}

describe('the host state at a cursor', () => {
  // Step 0: PASID 5 bound to hwpt 2. Step 1: replaced by hwpt 3, hwpt 2 freed.
  // Step 2: a failed detach, then the entry is dropped: hwpt 3 leaks, still attached.
  const trace = buildTrace(
    [
      [call(HostCallOp.Alloc, 5, 2, true, 0x7000n), call(HostCallOp.Attach, 5, 2)],
      [
        call(HostCallOp.Alloc, 5, 3, true, 0x9000n),
        call(HostCallOp.Attach, 5, 3),
        call(HostCallOp.Free, 5, 2),
      ],
      [call(HostCallOp.Detach, 5, 0, false), removed(5)],
    ],
    ['00:02.0'],
  );
  const at = (e: number, variant: 'series' | 'seed' = 'series') =>
    hostStateAt(trace, 0, e, variant);

  it('starts with PASID 0 on the nesting parent, and an allocation is not attached yet', () => {
    expect([...at(-1).attached]).toEqual([[0, 1]]);
    const s = at(0);
    expect(s.objects).toEqual([
      { id: 2, type: 'hwpt', pasid: 5, pgtbl: 0x7000n, faultq: 0, fate: 'new' },
    ]);
    expect(s.attached.get(5)).toBeUndefined();
    expect(s.now).toMatchObject({ op: HostCallOp.Alloc, id: 2, ok: true });
  });

  it('attaches, then replaces: the old hwpt is superseded until it is freed', () => {
    expect(at(1).attached.get(5)).toBe(2);
    expect(at(1).objects[0]?.fate).toBe('recorded');
    const r = at(3);
    expect(r.attached.get(5)).toBe(3);
    expect(r.objects.map((o) => [o.id, o.fate])).toEqual([
      [2, 'superseded'],
      [3, 'recorded'],
    ]);
    const f = at(4);
    expect(f.objects.map((o) => o.id)).toEqual([3]);
    expect(f.freedNow?.id).toBe(2);
    expect(at(5).freedNow).toBeUndefined();
  });

  it('a failed detach changes nothing on the host; dropping the entry leaks its hwpt (series only)', () => {
    expect(at(5).attached.get(5)).toBe(3);
    expect(at(5).objects[0]?.fate).toBe('recorded');
    expect(at(6).objects[0]?.fate).toBe('leaked');
    expect(at(6).attached.get(5)).toBe(3);
    // The seed keeps the id in the address space: nothing leaks.
    expect(at(6, 'seed').objects[0]?.fate).toBe('recorded');
  });

  it('remembers a failed bind until an attach succeeds', () => {
    const t = buildTrace(
      [
        [
          call(HostCallOp.Alloc, 7, 2, true, 0x5000n),
          call(HostCallOp.Attach, 7, 2, false),
          call(HostCallOp.Free, 7, 2),
        ],
        [call(HostCallOp.Alloc, 7, 3, true, 0x6000n), call(HostCallOp.Attach, 7, 3)],
      ],
      ['00:02.0'],
    );
    const s = hostStateAt(t, 0, 2, 'series');
    expect(s.bindFailed.has(7)).toBe(true);
    expect(s.attached.has(7)).toBe(false);
    expect(s.objects).toEqual([]);
    const ok = hostStateAt(t, 0, 4, 'series');
    expect(ok.bindFailed.has(7)).toBe(false);
    expect(ok.attached.get(7)).toBe(3);
  });

  it('ties a fault queue to the hwpt allocated with it, and leaks both', () => {
    const t = buildTrace(
      [
        [
          call(HostCallOp.Faultq, 5, 2),
          call(HostCallOp.Alloc, 5, 3, true, 0x7000n),
          call(HostCallOp.Attach, 5, 3),
          call(HostCallOp.Detach, 5, 0, false),
          removed(5),
        ],
      ],
      ['00:02.0'],
    );
    const s = hostStateAt(t, 0, 4, 'series');
    expect(s.objects.map((o) => [o.id, o.type, o.faultq, o.fate])).toEqual([
      [2, 'faultq', 0, 'leaked'],
      [3, 'hwpt', 2, 'leaked'],
    ]);
    expect(s.calls).toBe(4);
  });

  it('ignores other devices', () => {
    expect(hostStateAt(trace, 1, 99, 'series').objects).toEqual([]);
  });
});
