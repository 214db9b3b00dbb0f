import { describe, expect, it } from 'vitest';
import { NO_ADDR, QemuFn, TraceKind } from './traceFormat.ts';
import { TraceBuilder, traceByteLength } from './traceBuilder.ts';
import { readTraceEvent, stepOfEvent, traceStepRange } from './traceReader.ts';
import { ScenarioBuilder } from '../testSupport/scenarioBuilder.ts';

describe('TraceBuilder', () => {
  it('stores every column and splits 64-bit addresses without losing bits', () => {
    const t = new TraceBuilder(['00:01.0']);
    t.beginStep();
    t.push(
      TraceKind.GuestRead,
      QemuFn.vtd_dev_to_context_entry,
      0,
      7,
      1,
      0xdead_beef,
      0x1234_5678,
      2,
      32,
      0,
    );
    t.pushBig(TraceKind.StepWrite, QemuFn.guest, -1, 0, 3, 0xffff_ffff_ffff_fff8n, 0, 0, 0);
    t.pushNoAddr(TraceKind.DescBlocked, QemuFn.vtd_process_inv_desc, -1, 0, 0, 0, 0);
    const s = t.snapshot();
    expect(s.length).toBe(3);
    expect(s.addr[0]).toBe(0xdead_beef_1234_5678n);
    expect(s.addr[1]).toBe(0xffff_ffff_ffff_fff8n);
    expect(s.addr[2]).toBe(NO_ADDR);
    expect([...s.stepStart]).toEqual([0, 3]);
    expect(s.device[1]).toBe(-1);
    expect(traceByteLength(s)).toBe(3 * 32 + 8);
  });

  it('grows across chunks and extends coalesced events in place', () => {
    const t = new TraceBuilder([]);
    t.beginStep();
    const n = 70_000;
    for (let i = 0; i < n; i++)
      t.push(TraceKind.LeafChecked, QemuFn.vtd_accel_fill_pc, 0, i, 1, 0, i * 64, 5, 0, i);
    t.extend(n - 1, 9);
    t.setB(n - 1, 77);
    const s = t.snapshot();
    expect(s.length).toBe(n);
    expect(s.pasid[65_537]).toBe(65_537);
    expect(s.c[n - 1]).toBe(n - 1);
    expect(s.count[n - 1]).toBe(10);
    expect(s.b[n - 1]).toBe(77);
    expect(s.kind.length).toBe(n);
  });
});

describe('trace reader', () => {
  it("reads events back by kind and finds each step's range", () => {
    const b = new ScenarioBuilder({ pasidBits: 7 }).device('00:01.0');
    b.write(0x9000n, [1n, 2n]).global().clearIqe();
    const r = b.run();
    const { start, end } = traceStepRange(r.trace, 1);
    expect(start).toBe(1);
    expect(traceStepRange(r.trace, 2)).toEqual({ start: end, end: end + 1 });
    expect(readTraceEvent(r.trace, 0)).toEqual({
      index: 0,
      step: 0,
      fn: QemuFn.guest,
      kind: 'StepWrite',
      addr: 0x9000n,
      qwords: 2,
    });
    const kinds = [];
    for (let i = start; i < end; i++) kinds.push(readTraceEvent(r.trace, i).kind);
    expect(kinds.slice(0, 4)).toEqual(['DescFetched', 'PcInfoBuilt', 'SyncBegin', 'GuestRead']);
    expect(kinds).toContain('LookupResult');
    expect(kinds).toContain('EmuCreated');
    expect(kinds).toContain('RangeInit');
    expect(kinds).toContain('RangeClamp');
    expect(kinds).toContain('DirChecked');
    expect(kinds).toContain('LeafChecked');
    expect(stepOfEvent(r.trace, end - 1)).toBe(1);
    expect(readTraceEvent(r.trace, end)).toMatchObject({ kind: 'StepClearIqe', step: 2 });
    expect(() => readTraceEvent(r.trace, r.trace.length)).toThrow(RangeError);
  });

  it("attributes the PASID-0 check's reads to vtd_ce_pasid_0_check", () => {
    const r = new ScenarioBuilder()
      .device('00:01.0', { backend: 'emulated', pasidAddressSpaces: [5] })
      .global()
      .run();
    const reads = [];
    for (let i = 0; i < r.trace.length; i++) {
      const e = readTraceEvent(r.trace, i);
      if (e.kind === 'GuestRead' && e.pasid === 0 && e.fn === QemuFn.vtd_ce_pasid_0_check)
        reads.push(e);
    }
    // Two address spaces, each checks PASID 0 (directory + leaf).
    expect(reads).toHaveLength(4);
  });
});
