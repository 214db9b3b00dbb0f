// A tiny builder of columnar traces for the views' unit tests: events are written as objects and
// packed into the typed arrays of the trace format, exactly as the model lays them out. Tests use it
// to describe a walk by hand and check what the views make of it.

import {
  NO_ADDR,
  PcType,
  type QemuFn,
  type Scenario,
  type Trace,
  type TraceKind,
} from '../../model/core.ts';
import { IOMMU_DEFAULTS } from '../../model/core.ts';

export interface FixtureEvent {
  readonly kind: TraceKind;
  readonly fn?: QemuFn;
  readonly device?: number;
  readonly pasid?: number;
  readonly count?: number;
  readonly addr?: bigint;
  readonly a?: number;
  readonly b?: number;
  readonly c?: number;
}

/** Packs scenario steps (each a list of events) into a Trace. */
export function buildTrace(
  steps: readonly (readonly FixtureEvent[])[],
  devices: readonly string[],
): Trace {
  const n = steps.reduce((s, st) => s + st.length, 0);
  const t = {
    length: n,
    kind: new Uint8Array(n),
    fn: new Uint8Array(n),
    device: new Int16Array(n),
    pasid: new Uint32Array(n),
    count: new Uint32Array(n),
    addr: new BigUint64Array(n),
    a: new Uint32Array(n),
    b: new Uint32Array(n),
    c: new Uint32Array(n),
    fillDids: new Uint16Array(0),
    stepStart: new Uint32Array(steps.length + 1),
    devices,
  };
  let i = 0;
  steps.forEach((events, k) => {
    t.stepStart[k] = i;
    for (const e of events) {
      t.kind[i] = e.kind;
      t.fn[i] = e.fn ?? 0;
      t.device[i] = e.device ?? -1;
      t.pasid[i] = e.pasid ?? 0;
      t.count[i] = e.count ?? 1;
      t.addr[i] = e.addr ?? NO_ADDR;
      t.a[i] = e.a ?? 0;
      t.b[i] = e.b ?? 0;
      t.c[i] = e.c ?? 0;
      i += 1;
    }
  });
  t.stepStart[steps.length] = i;
  return t;
}

/** Guest memory for tests: a map of qwords, zero elsewhere. */
export function fixtureMemory(words: ReadonlyMap<bigint, bigint>): {
  readQword(addr: bigint): bigint;
} {
  return { readQword: (addr) => words.get(addr) ?? 0n };
}

/** Memory at step k of a scenario: initial blocks plus the writes of steps before k. */
export function fixtureMemoryAt(scenario: Scenario): (step: number) => {
  readQword(addr: bigint): bigint;
} {
  const cache = new Map<number, { readQword(addr: bigint): bigint }>();
  return (step) => {
    const hit = cache.get(step);
    if (hit) return hit;
    const words = new Map<bigint, bigint>();
    for (const block of scenario.memory) {
      block.qwords.forEach((q, i) => words.set(block.addr + BigInt(i * 8), q));
    }
    scenario.steps.slice(0, step).forEach((s) => {
      if (s.op === 'write') s.qwords.forEach((q, i) => words.set(s.addr + BigInt(i * 8), q));
    });
    const mem = fixtureMemory(words);
    cache.set(step, mem);
    return mem;
  };
}

/**
 * A small scenario for the views' tests: one iommufd device 00:02.0 (devfn 0x10) with PDTS 0,
 * directory entries 0 and 1 present, PASID 0 (first-stage, DID 1) and PASID 0x41 (first-stage,
 * DID 3) present. Steps: DSI DID 3, a write changing PASID 0x41's FSPTPTR, a global invalidation,
 * a DSI DID 5.
 */
export function fixtureScenario(): Scenario {
  const fsEntry = (did: number): bigint[] => [0x41n, BigInt(did), 0x6000n, 0n, 0n, 0n, 0n, 0n];
  return {
    variant: 'series',
    iommu: {
      ...IOMMU_DEFAULTS,
      rootTableAddr: 0x1000n,
    },
    devices: [
      {
        bdf: '00:02.0',
        bus: 0,
        devfn: 0x10,
        backend: 'iommufd',
        maxPasidLog2: 20,
        pasidAddressSpaces: [],
        name: 'nic0',
      },
    ],
    memory: [
      { addr: 0x1000n, qwords: [0x2001n, 0n] },
      { addr: 0x2200n, qwords: [0x3001n, 0n, 0n, 0n] },
      { addr: 0x3000n, qwords: [0x4001n, 0x5001n] },
      { addr: 0x4000n, qwords: fsEntry(1) },
      { addr: 0x5040n, qwords: fsEntry(3) },
    ],
    steps: [
      { op: 'invalidate', desc: [0x3_0007n, 0n, 0n, 0n] },
      { op: 'write', addr: 0x5050n, qwords: [0x7000n], note: 'new first-stage table' },
      { op: 'invalidate', desc: [0x37n, 0n, 0n, 0n] },
      { op: 'invalidate', desc: [0x5_0007n, 0n, 0n, 0n] },
    ],
  };
}

/** A walk as the model would trace it for a DSI / global invalidation of fixtureScenario(). */
function fixtureWalk(
  pc: { type: PcType; did: number },
  leaf0: FixtureEvent,
  leaf41: FixtureEvent,
): FixtureEvent[] {
  const K = TK;
  return [
    { kind: K.DescFetched, fn: 1, a: 7, b: 256 },
    { kind: K.PcInfoBuilt, fn: 2, a: pc.type, b: pc.did },
    { kind: K.SyncBegin, fn: 5, a: pc.type, b: pc.did },
    { kind: K.LookupResult, fn: 7, device: 0, pasid: 0, a: 0, addr: 0x4000n },
    pc.type === PcType.Global
      ? { kind: K.EmuCreated, fn: 6, device: 0, pasid: 0, addr: 0x4000n }
      : { kind: K.EmuSkip, fn: 6, device: 0, pasid: 0, a: 3, b: 1 },
    { kind: K.RangeInit, fn: 12, pasid: 0, a: 1, b: 1 << 20, c: 20 },
    { kind: K.AccelDeviceBegin, fn: 12, device: 0 },
    { kind: K.RangeClamp, fn: 12, device: 0, pasid: 0, a: 20, b: 0, c: 8192 },
    { kind: K.DirChecked, fn: 15, device: 0, pasid: 0, a: 3, b: 64, addr: 0x3000n },
    { ...leaf0, kind: K.LeafChecked, fn: 16, device: 0, pasid: 0, addr: 0x4000n },
    { kind: K.LeafChecked, fn: 16, device: 0, pasid: 1, count: 63, a: 3, addr: 0x4040n },
    { kind: K.DirChecked, fn: 15, device: 0, pasid: 64, a: 3, b: 128, addr: 0x3008n },
    { kind: K.LeafChecked, fn: 16, device: 0, pasid: 64, a: 3, addr: 0x5000n },
    { ...leaf41, kind: K.LeafChecked, device: 0, pasid: 0x41, addr: 0x5040n },
    { kind: K.LeafChecked, fn: 16, device: 0, pasid: 0x42, count: 62, a: 3, addr: 0x5080n },
    { kind: K.DirChecked, fn: 15, device: 0, pasid: 128, count: 126, a: 2, b: 8192, addr: 0x3010n },
  ];
}

const TK = {
  StepWrite: 1,
  DescFetched: 3,
  PcInfoBuilt: 7,
  SyncBegin: 11,
  LookupResult: 14,
  EmuSkip: 15,
  EmuCreated: 16,
  AccelDeviceBegin: 20,
  RangeInit: 24,
  RangeClamp: 25,
  DirChecked: 26,
  LeafChecked: 27,
} as const satisfies Record<string, TraceKind>;

/**
 * The trace of fixtureScenario(), written by hand:
 * step 0 DSI 3: PASID 0 DID 1 ≠ 3 (mismatch), PASID 0x41 created (list was empty: 0 compares);
 * step 1 the write; step 2 global: PASID 0 created (1 compare), 0x41 updated (found at 2);
 * step 3 DSI 5: both mismatch.
 */
export function fixtureTrace(): Trace {
  return buildTrace(
    [
      fixtureWalk(
        { type: PcType.DomainSelective, did: 3 },
        { kind: TK.LeafChecked, a: 4, b: 1 },
        { kind: TK.LeafChecked, fn: 17, a: 5, b: 3, c: 0 },
      ),
      [{ kind: TK.StepWrite, fn: 0, addr: 0x5050n, count: 1 }],
      fixtureWalk(
        { type: PcType.Global, did: 0 },
        { kind: TK.LeafChecked, fn: 17, a: 5, b: 1, c: 1 },
        { kind: TK.LeafChecked, fn: 17, a: 6, b: 3, c: 2 },
      ),
      fixtureWalk(
        { type: PcType.DomainSelective, did: 5 },
        { kind: TK.LeafChecked, a: 4, b: 1 },
        { kind: TK.LeafChecked, fn: 16, a: 4, b: 3 },
      ),
    ],
    ['00:02.0'],
  );
}
