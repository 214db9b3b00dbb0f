// "Where is event i?": the scenario step, the descriptor, the VTDPASIDCacheInfo the sync runs with,
// the device the accel sync is working on and the PASID range it walks. Explanations, the walk view
// and the pseudo-code pane all read an event through this context, found from the frame index.

import {
  TraceKind,
  eventDevice,
  readTraceEvent,
  readTraceEventOf,
  type GateReason,
  type PcType,
  type RangeReason,
  type Trace,
} from '../../model/core.ts';
import {
  lastFrame,
  nextFrameAfter,
  stepOfEvent,
  stepRange,
  type TraceIndex,
} from './traceIndex.ts';

export interface PcInfoFrame {
  readonly event: number;
  readonly type: PcType;
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
  readonly reason: RangeReason;
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
  readonly gated?: { readonly event: number; readonly reason: GateReason };
  /** Set once the accel part of the sync works on a device (AccelDeviceBegin). */
  readonly accelDevice?: { readonly event: number; readonly device: number };
  readonly rangeInit?: RangeInitFrame;
  readonly rangeClamp?: RangeClampFrame;
  readonly walk?: WalkSegmentRef;
}

/** A PcInfoBuilt or SyncBegin event as the VTDPASIDCacheInfo it carries. */
export function readPcInfo(trace: Trace, e: number): PcInfoFrame {
  const ev = readTraceEvent(trace, e);
  if (ev.kind !== 'PcInfoBuilt' && ev.kind !== 'SyncBegin') {
    throw new RangeError(`trace event ${e.toString()} is a ${ev.kind}, not a PASID-cache info`);
  }
  return { event: e, type: ev.pcType, did: ev.did, pasid: ev.pasid };
}

export function readRangeClamp(trace: Trace, e: number): RangeClampFrame {
  const { device, start, maxPasidLog2, pdts, end } = readTraceEventOf(trace, e, 'RangeClamp');
  return { event: e, device, start, maxPasidLog2, pdts, end };
}

export function readRangeInit(trace: Trace, e: number): RangeInitFrame {
  const { start, end, reason, pasidBits } = readTraceEventOf(trace, e, 'RangeInit');
  return { event: e, start, end, reason, pasidBits };
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
    const desc = readTraceEventOf(trace, descE, 'DescFetched');
    ctx.desc = { event: descE, type: desc.typeCode, width: desc.queueWidth };
  }
  if (pcE !== undefined) ctx.pcInfo = readPcInfo(trace, pcE);
  if (ccE !== undefined) {
    const cc = readTraceEventOf(trace, ccE, 'ContextCacheInv');
    ctx.contextCacheInv = {
      event: ccE,
      granularity: cc.granularity,
      didOrSid: cc.didOrSourceId,
      fmask: cc.functionMask,
    };
  }
  if (syncE !== undefined) {
    ctx.sync = { ...readPcInfo(trace, syncE), viaReplay: replayE !== undefined };
  }
  if (gatedE !== undefined) {
    ctx.gated = { event: gatedE, reason: readTraceEventOf(trace, gatedE, 'SyncGated').reason };
  }
  if (devE !== undefined) ctx.accelDevice = { event: devE, device: eventDevice(trace, devE) };
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
  const own = eventDevice(trace, ctx.event);
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
    if (eventDevice(trace, e) === device) return e;
    e = e > from ? lastFrame(index, e - 1, from, TraceKind.RangeClamp) : undefined;
  }
  return undefined;
}
