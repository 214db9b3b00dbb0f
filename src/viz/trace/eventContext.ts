// "Where is event i?": the scenario step, the descriptor, the VTDPASIDCacheInfo the sync runs with,
// the device the accel sync is working on and the PASID range it walks. Explanations, the walk view
// and the pseudo-code pane all read an event through this context, found from the frame index.

import { TraceKind, type Trace } from '../../model/core.ts';
import {
  lastFrame,
  nextFrameAfter,
  stepOfEvent,
  stepRange,
  type TraceIndex,
} from './traceIndex.ts';

export interface PcInfoFrame {
  readonly event: number;
  /** 0 DSI, 1 PASID-SI, 3 global */
  readonly type: number;
  readonly did: number;
  readonly pasid: number;
}

export interface SyncFrame extends PcInfoFrame {
  /** Started by vtd_replay_pasid_bindings_all (context-cache invalidation), not a PC descriptor. */
  readonly viaReplay: boolean;
}

export interface RangeInitFrame {
  readonly event: number;
  readonly start: number;
  readonly end: number;
  /** RangeReason */
  readonly reason: number;
  readonly pasidBits: number;
}

export interface RangeClampFrame {
  readonly event: number;
  readonly device: number;
  readonly start: number;
  readonly maxPasidLog2: number;
  readonly pdts: number;
  readonly end: number;
}

/** The walk of one device in one sync: events (clamp, end) are its directory and leaf checks. */
export interface WalkSegmentRef {
  readonly device: number;
  readonly clamp: RangeClampFrame;
  readonly start: number;
  readonly end: number;
}

export interface EventContext {
  readonly event: number;
  readonly step: number;
  readonly stepStart: number;
  readonly stepEnd: number;
  readonly desc?: { readonly event: number; readonly type: number; readonly width: number };
  readonly pcInfo?: PcInfoFrame;
  readonly contextCacheInv?: {
    readonly event: number;
    readonly granularity: number;
    readonly didOrSid: number;
    readonly fmask: number;
  };
  readonly sync?: SyncFrame;
  readonly gated?: { readonly event: number; readonly reason: number };
  /** Set once the accel part of the sync works on a device (AccelDeviceBegin). */
  readonly accelDevice?: { readonly event: number; readonly device: number };
  readonly rangeInit?: RangeInitFrame;
  readonly rangeClamp?: RangeClampFrame;
  readonly walk?: WalkSegmentRef;
}

export function readPcInfo(trace: Trace, e: number): PcInfoFrame {
  return { event: e, type: trace.a[e] ?? 0, did: trace.b[e] ?? 0, pasid: trace.pasid[e] ?? 0 };
}

export function readRangeClamp(trace: Trace, e: number): RangeClampFrame {
  return {
    event: e,
    device: trace.device[e] ?? -1,
    start: trace.pasid[e] ?? 0,
    maxPasidLog2: trace.a[e] ?? 0,
    pdts: trace.b[e] ?? 0,
    end: trace.c[e] ?? 0,
  };
}

export function readRangeInit(trace: Trace, e: number): RangeInitFrame {
  return {
    event: e,
    start: trace.pasid[e] ?? 0,
    end: trace.b[e] ?? 0,
    reason: trace.a[e] ?? 0,
    pasidBits: trace.c[e] ?? 0,
  };
}

/** The walk segment that a RangeClamp event opens. */
export function walkSegmentOf(
  index: TraceIndex,
  clampEvent: number,
  stepEnd: number,
): WalkSegmentRef {
  const clamp = readRangeClamp(index.trace, clampEvent);
  return {
    device: clamp.device,
    clamp,
    start: clampEvent + 1,
    end: nextFrameAfter(index, clampEvent, stepEnd),
  };
}

export function eventContext(index: TraceIndex, event: number): EventContext {
  const { trace } = index;
  const e = Math.max(0, Math.min(event, trace.length - 1));
  const step = stepOfEvent(trace, e);
  const [stepStart, stepEnd] = stepRange(trace, step);

  const descE = lastFrame(index, e, stepStart, TraceKind.DescFetched);
  const pcE = lastFrame(index, e, stepStart, TraceKind.PcInfoBuilt);
  const ccE = lastFrame(index, e, stepStart, TraceKind.ContextCacheInv);
  const syncE = lastFrame(index, e, stepStart, TraceKind.SyncBegin);
  const syncFrom = syncE ?? stepStart;
  const replayE = lastFrame(index, syncFrom, stepStart, TraceKind.ReplayBegin);
  const gatedE = syncE === undefined ? undefined : lastFrame(index, e, syncE, TraceKind.SyncGated);
  const devE =
    syncE === undefined ? undefined : lastFrame(index, e, syncE, TraceKind.AccelDeviceBegin);
  const initE = syncE === undefined ? undefined : lastFrame(index, e, syncE, TraceKind.RangeInit);
  const clampE =
    syncE === undefined ? undefined : lastFrame(index, e, devE ?? syncE, TraceKind.RangeClamp);

  const ctx: {
    -readonly [K in keyof EventContext]: EventContext[K];
  } = { event: e, step, stepStart, stepEnd };
  if (descE !== undefined) {
    ctx.desc = { event: descE, type: trace.a[descE] ?? 0, width: trace.b[descE] ?? 0 };
  }
  if (pcE !== undefined) ctx.pcInfo = readPcInfo(trace, pcE);
  if (ccE !== undefined) {
    ctx.contextCacheInv = {
      event: ccE,
      granularity: trace.a[ccE] ?? 0,
      didOrSid: trace.b[ccE] ?? 0,
      fmask: trace.c[ccE] ?? 0,
    };
  }
  if (syncE !== undefined) {
    ctx.sync = { ...readPcInfo(trace, syncE), viaReplay: replayE !== undefined };
  }
  if (gatedE !== undefined) ctx.gated = { event: gatedE, reason: trace.a[gatedE] ?? 0 };
  if (devE !== undefined) ctx.accelDevice = { event: devE, device: trace.device[devE] ?? -1 };
  if (initE !== undefined) ctx.rangeInit = readRangeInit(trace, initE);
  if (clampE !== undefined) {
    ctx.rangeClamp = readRangeClamp(trace, clampE);
    const seg = walkSegmentOf(index, clampE, stepEnd);
    if (e < seg.end) ctx.walk = seg;
  }
  return ctx;
}

/** The device an event is about: its own column, else the accel device being worked on. */
export function focusDevice(trace: Trace, ctx: EventContext): number {
  const own = trace.device[ctx.event] ?? -1;
  if (own >= 0) return own;
  return ctx.accelDevice?.device ?? -1;
}

/** The last RangeClamp of `device` in [from, event]: the walk of that device at this point. */
export function lastClampForDevice(
  index: TraceIndex,
  device: number,
  from: number,
  event: number,
): number | undefined {
  const { trace } = index;
  let e = lastFrame(index, event, from, TraceKind.RangeClamp);
  while (e !== undefined) {
    if (trace.device[e] === device) return e;
    e = e > from ? lastFrame(index, e - 1, from, TraceKind.RangeClamp) : undefined;
  }
  return undefined;
}
