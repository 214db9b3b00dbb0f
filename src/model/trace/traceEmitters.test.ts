// Every event kind written by its emitter and read back by readTraceEvent (and the column
// accessors) must give back exactly the fields it was given: a field written to the wrong column,
// or two fields sharing one, fails here with random values.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceBuilder } from './traceBuilder.ts';
import * as emit from './traceEmitters.ts';
import {
  DirOutcome,
  EmuSkipReason,
  GateReason,
  HostCallOp,
  LeafOutcome,
  NO_ADDR,
  PcType,
  QemuFn,
  RangeReason,
  RejectReason,
  RemovalOutcome,
  Structure,
  TraceKind,
} from './traceFormat.ts';
import type { Trace } from './traceFormat.ts';
import {
  dirFault,
  dirOutcome,
  dirRunEnd,
  emuSkipReason,
  eventAddr,
  eventDevice,
  eventFn,
  eventKind,
  eventPasid,
  eventRunLength,
  guestReadBytes,
  guestReadStructure,
  leafDid,
  leafListCompares,
  leafOutcome,
  deviceSkippedFault,
  readTraceEvent,
  readTraceEventOf,
  removalOutcome,
} from './traceReader.ts';
import type { TraceEventKind } from './traceReader.ts';

const DEVICES = ['00:01.0', '00:02.0', '00:03.0', '00:04.0'];
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const device = fc.integer({ min: 0, max: DEVICES.length - 1 });
const fn = fc.constantFrom(...Object.values(QemuFn));
const oneOf = <T extends number>(table: Readonly<Record<string, T>>): fc.Arbitrary<T> =>
  fc.constantFrom(...Object.values(table));
const halves = fc.record({ addrHi: u32, addrLo: u32 });
const addr64 = fc.bigInt({ min: 0n, max: NO_ADDR - 1n });
const joined = (h: { addrHi: number; addrLo: number }): bigint =>
  (BigInt(h.addrHi) << 32n) | BigInt(h.addrLo);

/** One kind: random inputs, its emitter, and the fields readTraceEvent must give back. */
interface KindCase<I> {
  readonly input: fc.Arbitrary<I>;
  write(t: TraceBuilder, input: I): number;
  expected(input: I): Readonly<Record<string, unknown>>;
}

function kindCase<I>(c: KindCase<I>): KindCase<unknown> {
  return c;
}

const onDevice = (d: number) => ({ device: d, bdf: DEVICES[d] });

/** Keyed by every event kind: a kind added without a case here is a compile error. */
const CASES: Record<TraceEventKind, KindCase<unknown>> = {
  StepWrite: kindCase({
    input: fc.record({ addr: addr64, qwords: u32 }),
    write: (t, e) => emit.emitStepWrite(t, e),
    expected: (e) => ({ fn: QemuFn.guest, addr: e.addr, qwords: e.qwords }),
  }),
  StepClearIqe: kindCase({
    input: fc.constant(null),
    write: (t) => emit.emitStepClearIqe(t),
    expected: () => ({ fn: QemuFn.guest }),
  }),
  DescFetched: kindCase({
    input: fc.record({ typeCode: u32, queueWidth: fc.constantFrom<128 | 256>(128, 256) }),
    write: (t, e) => emit.emitDescFetched(t, e),
    expected: (e) => ({ fn: QemuFn.vtd_process_inv_desc, ...e }),
  }),
  DescRejected: kindCase({
    input: fc.record({ fn, reason: oneOf(RejectReason), typeCode: u32 }),
    write: (t, e) => emit.emitDescRejected(t, e),
    expected: (e) => e,
  }),
  DescBlocked: kindCase({
    input: fc.constant(null),
    write: (t) => emit.emitDescBlocked(t),
    expected: () => ({ fn: QemuFn.vtd_process_inv_desc }),
  }),
  DescNoEffect: kindCase({
    input: fc.record({ fn, typeCode: u32 }),
    write: (t, e) => emit.emitDescNoEffect(t, e),
    expected: (e) => e,
  }),
  PcInfoBuilt: kindCase({
    input: fc.record({ pcType: oneOf(PcType), did: u16, pasid: u32 }),
    write: (t, e) => emit.emitPcInfoBuilt(t, e),
    expected: (e) => ({ fn: QemuFn.vtd_process_pasid_desc, ...e }),
  }),
  WaitStatusWrite: kindCase({
    input: fc.record({ addr: addr64, data: u32 }),
    write: (t, e) => emit.emitWaitStatusWrite(t, e),
    expected: (e) => ({ fn: QemuFn.vtd_process_wait_desc, ...e }),
  }),
  ContextCacheInv: kindCase({
    input: fc.record({ granularity: u32, didOrSourceId: u32, functionMask: u32 }),
    write: (t, e) => emit.emitContextCacheInv(t, e),
    expected: (e) => ({ fn: QemuFn.vtd_process_context_cache_desc, ...e }),
  }),
  ReplayBegin: kindCase({
    input: fc.constant(null),
    write: (t) => emit.emitReplayBegin(t),
    expected: () => ({ fn: QemuFn.vtd_replay_pasid_bindings_all }),
  }),
  SyncBegin: kindCase({
    input: fc.record({ fn, device, pcType: oneOf(PcType), did: u16, pasid: u32 }),
    write: (t, e) => emit.emitSyncBegin(t, e),
    expected: (e) => ({ ...e, ...onDevice(e.device) }),
  }),
  SyncGated: kindCase({
    input: fc.record({ fn, device, pasid: u32, reason: oneOf(GateReason) }),
    write: (t, e) => emit.emitSyncGated(t, e),
    expected: (e) => ({ ...e, ...onDevice(e.device) }),
  }),
  GuestRead: kindCase({
    input: fc.record({
      fn,
      device,
      pasid: u32,
      addr: halves,
      structure: oneOf(Structure),
      bytes: u32,
      fault: u32,
    }),
    write: (t, e) => emit.emitGuestRead(t, { ...e, ...e.addr }),
    expected: (e) => ({ ...e, ...onDevice(e.device), addr: joined(e.addr) }),
  }),
  LookupResult: kindCase({
    input: fc.record({ device, pasid: u32, addr: halves, fault: u32, leafReached: fc.boolean() }),
    write: (t, e) => emit.emitLookupResult(t, { ...e, ...e.addr }),
    expected: (e) => ({
      fn: QemuFn.vtd_dev_get_pe_from_pasid,
      ...onDevice(e.device),
      pasid: e.pasid,
      fault: e.fault,
      leafAddr: e.leafReached ? joined(e.addr) : undefined,
    }),
  }),
  EmuSkip: kindCase({
    input: fc.record({
      fn,
      device,
      pasid: u32,
      reason: oneOf(EmuSkipReason),
      did: u16,
      fault: u32,
    }),
    write: (t, e) => emit.emitEmuSkip(t, e),
    expected: (e) => ({ ...e, ...onDevice(e.device) }),
  }),
  EmuCreated: kindCase({
    input: fc.record({
      fn,
      device,
      pasid: u32,
      addr: halves,
      leafReached: fc.boolean(),
      fallThrough: fc.boolean(),
    }),
    write: (t, e) => emit.emitEmuCreated(t, { ...e, ...e.addr }),
    expected: (e) => ({
      fn: e.fn,
      ...onDevice(e.device),
      pasid: e.pasid,
      fallThrough: e.fallThrough,
      source: e.leafReached ? joined(e.addr) : undefined,
    }),
  }),
  EmuRemoved: kindCase({
    input: fc.record({ fn, device, pasid: u32, fault: u32 }),
    write: (t, e) => emit.emitEmuRemoved(t, e),
    expected: (e) => ({ ...e, ...onDevice(e.device) }),
  }),
  EmuUnchanged: kindCase({
    input: fc.record({ fn, device, pasid: u32 }),
    write: (t, e) => emit.emitEmuUnchanged(t, e),
    expected: (e) => ({ ...e, ...onDevice(e.device) }),
  }),
  EmuDiffers: kindCase({
    input: fc.record({ fn, device, pasid: u32, addr: halves, leafReached: fc.boolean() }),
    write: (t, e) => emit.emitEmuDiffers(t, { ...e, ...e.addr }),
    expected: (e) => ({
      fn: e.fn,
      ...onDevice(e.device),
      pasid: e.pasid,
      leafAddr: e.leafReached ? joined(e.addr) : undefined,
    }),
  }),
  AccelDeviceBegin: kindCase({
    input: fc.record({ fn, device }),
    write: (t, e) => emit.emitAccelDeviceBegin(t, e),
    expected: (e) => ({ ...e, ...onDevice(e.device) }),
  }),
  AccelDeviceSkipped: kindCase({
    input: fc.record({ fn, device, fault: u32 }),
    write: (t, e) => emit.emitAccelDeviceSkipped(t, e),
    expected: (e) => ({ ...e, ...onDevice(e.device) }),
  }),
  AccelRemovalCheck: kindCase({
    input: fc.record({
      fn,
      device,
      pasid: u32,
      outcome: oneOf(RemovalOutcome),
      cachedDid: u16,
      fault: u32,
    }),
    write: (t, e) => emit.emitAccelRemovalCheck(t, e),
    expected: (e) => ({ ...e, ...onDevice(e.device), count: 1 }),
  }),
  AccelBypass: kindCase({
    input: fc.record({ fn, device, pasid: u32 }),
    write: (t, e) => emit.emitAccelBypass(t, e),
    expected: (e) => ({ ...e, ...onDevice(e.device) }),
  }),
  RangeInit: kindCase({
    input: fc.record({ fn, start: u32, end: u32, reason: oneOf(RangeReason), pasidBits: u32 }),
    write: (t, e) => emit.emitRangeInit(t, e),
    expected: (e) => e,
  }),
  RangeClamp: kindCase({
    input: fc.record({ fn, device, start: u32, maxPasidLog2: u32, pdts: u32, end: u32 }),
    write: (t, e) => emit.emitRangeClamp(t, e),
    expected: (e) => ({ ...e, ...onDevice(e.device) }),
  }),
  DirChecked: kindCase({
    input: fc.record({
      fn,
      device,
      firstPasid: u32,
      addr: halves,
      end: u32,
      outcome: oneOf(DirOutcome),
      fault: u32,
    }),
    write: (t, e) => emit.emitDirChecked(t, { ...e, ...e.addr }),
    expected: (e) => ({ ...e, ...onDevice(e.device), addr: joined(e.addr), chunks: 1 }),
  }),
  LeafChecked: kindCase({
    input: fc.record({
      fn,
      device,
      firstPasid: u32,
      addr: halves,
      outcome: oneOf(LeafOutcome),
      did: u16,
      listCompares: u32,
    }),
    write: (t, e) => emit.emitLeafChecked(t, { ...e, ...e.addr }),
    expected: (e) => ({ ...e, ...onDevice(e.device), addr: joined(e.addr), count: 1 }),
  }),
  AccelRemoved: kindCase({
    input: fc.record({ device, pasid: u32, did: u16 }),
    write: (t, e) => emit.emitAccelRemoved(t, e),
    expected: (e) => ({ fn: QemuFn.vtd_accel_delete_pc, ...e, ...onDevice(e.device) }),
  }),
  HostCall: kindCase({
    input: fc.record({
      fn,
      device,
      pasid: u32,
      op: oneOf(HostCallOp),
      id: u32,
      ok: fc.boolean(),
      flags: fc.integer({ min: 0, max: 15 }),
      addr: fc.option(addr64, { nil: undefined }),
    }),
    write: (t, e) => emit.emitHostCall(t, e),
    expected: (e) => ({ ...e, ...onDevice(e.device), addr: e.addr ?? NO_ADDR }),
  }),
};

/** One event of `kind` after a random prefix, so the index is not always 0. */
function writeOne(c: KindCase<unknown>, input: unknown, prefix: number): Trace {
  const t = new TraceBuilder(DEVICES);
  t.beginStep();
  for (let i = 0; i < prefix; i++) emit.emitStepClearIqe(t);
  t.beginStep();
  c.write(t, input);
  return t.snapshot();
}

describe('trace emitters and reader', () => {
  for (const [kind, c] of Object.entries(CASES) as [TraceEventKind, KindCase<unknown>][]) {
    it(`${kind}: every field written comes back under its own name`, () => {
      fc.assert(
        fc.property(c.input, fc.nat(3), (input, prefix) => {
          const trace = writeOne(c, input, prefix);
          const i = trace.length - 1;
          const ev = readTraceEvent(trace, i);
          expect(ev).toMatchObject({ kind, index: i, step: 1, ...c.expected(input) });
          expect(readTraceEventOf(trace, i, kind).kind).toBe(kind);
          expect(eventKind(trace, i)).toBe(TraceKind[kind]);
          expect(eventFn(trace, i)).toBe(ev.fn);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('the column accessors read the same fields as readTraceEvent', () => {
    const t = new TraceBuilder(DEVICES);
    t.beginStep();
    const leaf = { fn: QemuFn.vtd_accel_fill_pc, device: 2, firstPasid: 0x41, did: 9 };
    emit.emitLeafChecked(t, {
      ...leaf,
      addrHi: 1,
      addrLo: 0x40,
      outcome: LeafOutcome.Created,
      listCompares: 17,
    });
    const dir = { fn: QemuFn.vtd_sm_pasid_table_walk, device: 1, firstPasid: 128, end: 192 };
    emit.emitDirChecked(t, {
      ...dir,
      addrHi: 0,
      addrLo: 8,
      outcome: DirOutcome.ReadFailed,
      fault: 0x50,
    });
    const read = { fn: QemuFn.vtd_dev_to_context_entry, device: 3, pasid: 0, fault: 0 };
    emit.emitGuestRead(t, { ...read, addrHi: 0, addrLo: 0x1000, structure: 2, bytes: 32 });
    emit.emitEmuSkip(t, { ...read, fn: 6, reason: EmuSkipReason.DidFilter, did: 4 });
    emit.emitAccelRemovalCheck(t, {
      fn: 13,
      device: 0,
      pasid: 5,
      outcome: RemovalOutcome.StillValid,
      cachedDid: 2,
      fault: 0,
    });
    emit.emitAccelDeviceSkipped(t, { fn: 12, device: 0, fault: 0x52 });
    const s = t.snapshot();
    const l = readTraceEventOf(s, 0, 'LeafChecked');
    expect([leafOutcome(s, 0), leafDid(s, 0), leafListCompares(s, 0)]).toEqual([
      l.outcome,
      l.did,
      l.listCompares,
    ]);
    expect([eventPasid(s, 0), eventDevice(s, 0), eventAddr(s, 0)]).toEqual([
      l.firstPasid,
      l.device,
      l.addr,
    ]);
    const d = readTraceEventOf(s, 1, 'DirChecked');
    expect([dirOutcome(s, 1), dirRunEnd(s, 1), dirFault(s, 1)]).toEqual([
      d.outcome,
      d.end,
      d.fault,
    ]);
    const g = readTraceEventOf(s, 2, 'GuestRead');
    expect([guestReadStructure(s, 2), guestReadBytes(s, 2)]).toEqual([g.structure, g.bytes]);
    expect(emuSkipReason(s, 3)).toBe(readTraceEventOf(s, 3, 'EmuSkip').reason);
    expect(removalOutcome(s, 4)).toBe(readTraceEventOf(s, 4, 'AccelRemovalCheck').outcome);
    expect(deviceSkippedFault(s, 5)).toBe(readTraceEventOf(s, 5, 'AccelDeviceSkipped').fault);
    expect(eventAddr(s, 3)).toBeUndefined();
    expect(eventDevice(s, 5)).toBe(0);
  });

  it('extends runs: chunks and their end, PASIDs, list entries', () => {
    const t = new TraceBuilder(DEVICES);
    t.beginStep();
    const at = { device: 0, addrHi: 0, addrLo: 0x3000 };
    const dir = emit.emitDirChecked(t, {
      ...at,
      fn: 15,
      firstPasid: 64,
      end: 128,
      outcome: DirOutcome.NotPresent,
      fault: 0,
    });
    emit.extendDirRun(t, dir, 192);
    emit.extendDirRun(t, dir, 200);
    const leaf = emit.emitLeafChecked(t, {
      ...at,
      fn: 16,
      firstPasid: 3,
      outcome: LeafOutcome.NotPresent,
      did: 0,
      listCompares: 0,
    });
    for (let k = 0; k < 5; k++) emit.extendLeafRun(t, leaf);
    const check = emit.emitAccelRemovalCheck(t, {
      fn: 13,
      device: 0,
      pasid: 9,
      outcome: RemovalOutcome.DidFilter,
      cachedDid: 1,
      fault: 0,
    });
    emit.extendAccelRemovalRun(t, check);
    const s = t.snapshot();
    expect(readTraceEventOf(s, dir, 'DirChecked')).toMatchObject({ chunks: 3, end: 200 });
    expect(readTraceEventOf(s, leaf, 'LeafChecked')).toMatchObject({ count: 6, firstPasid: 3 });
    expect(eventRunLength(s, leaf)).toBe(6);
    expect(readTraceEventOf(s, check, 'AccelRemovalCheck')).toMatchObject({ count: 2 });
  });

  it('refuses to read an event as another kind, and an unknown kind', () => {
    const t = new TraceBuilder([]);
    t.beginStep();
    emit.emitStepClearIqe(t);
    t.push(200 as TraceKind, 0, -1, 0, 1, 0, 0, 0, 0, 0);
    const s = t.snapshot();
    expect(() => readTraceEventOf(s, 0, 'DescBlocked')).toThrow(/StepClearIqe/);
    expect(() => readTraceEvent(s, 1)).toThrow(/200/);
  });
});
