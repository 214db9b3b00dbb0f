// The state of one device's directory walk at a cursor: which directory entries have been checked
// (and with what outcome), and the 64 slots of a leaf table. Derived from the trace alone.

import {
  DirOutcome,
  TraceKind,
  dirOutcome,
  eventKind,
  eventPasid,
  eventRunLength,
  leafDidAt,
  leafOutcome,
  type Trace,
} from '../../model/core.ts';
import type { WalkSegmentRef } from '../trace/eventContext.ts';

/** Per directory entry of one walk: outcome (0 = not reached in this walk) and the event. */
export interface DirWalk {
  readonly segment: WalkSegmentRef;
  /** First directory index the walk covers. */
  readonly firstDir: number;
  readonly dirCount: number;
  readonly outcome: Uint8Array;
  readonly event: Uint32Array;
}

const dirWalkCache = new WeakMap<Trace, Map<number, DirWalk>>();

/** Directory outcomes of a walk segment; built by one scan of the segment and cached per trace. */
export function dirWalkOf(trace: Trace, segment: WalkSegmentRef): DirWalk {
  let perTrace = dirWalkCache.get(trace);
  if (!perTrace) {
    perTrace = new Map();
    dirWalkCache.set(trace, perTrace);
  }
  const cached = perTrace.get(segment.start);
  if (cached) return cached;
  const { start: pStart, end: pEnd } = segment.clamp;
  const firstDir = pStart >>> 6;
  const lastDir = pEnd > pStart ? (pEnd - 1) >>> 6 : firstDir - 1;
  const dirCount = Math.max(0, lastDir - firstDir + 1);
  const outcome = new Uint8Array(dirCount);
  const event = new Uint32Array(dirCount);
  for (let e = segment.start; e < segment.end; e++) {
    if (eventKind(trace, e) !== TraceKind.DirChecked) continue;
    const d0 = (eventPasid(trace, e) >>> 6) - firstDir;
    const n = eventRunLength(trace, e);
    const o = dirOutcome(trace, e);
    for (let d = Math.max(0, d0); d < Math.min(dirCount, d0 + n); d++) {
      outcome[d] = o;
      event[d] = e;
    }
  }
  const walk = { segment, firstDir, dirCount, outcome, event };
  perTrace.set(segment.start, walk);
  return walk;
}

/** Outcome of directory entry `dir` at the cursor (0 = not checked yet / outside the walk). */
export function dirOutcomeAt(walk: DirWalk, dir: number, cursor: number): number {
  const d = dir - walk.firstDir;
  if (d < 0 || d >= walk.dirCount) return 0;
  return (walk.event[d] ?? 0) <= cursor ? (walk.outcome[d] ?? 0) : 0;
}

export interface LeafSlot {
  /** LeafOutcome, or 0 when this slot was not checked (yet) in this walk. */
  readonly outcome: number;
  readonly event: number;
  /** DID read from memory, when the entry was read. */
  readonly did: number;
}

/** The 64 slots of the leaf table under directory entry `dir`, as checked up to the cursor. */
export function leafSlotsAt(
  trace: Trace,
  walk: DirWalk,
  dir: number,
  cursor: number,
): readonly LeafSlot[] {
  const slots: LeafSlot[] = Array.from({ length: 64 }, () => ({ outcome: 0, event: -1, did: 0 }));
  const d = dir - walk.firstDir;
  if (d < 0 || d >= walk.dirCount) return slots;
  const dirEvent = walk.event[d] ?? 0;
  if (walk.outcome[d] !== DirOutcome.Present || dirEvent > cursor) return slots;
  const lo = dir * 64;
  const hi = lo + 64;
  const last = Math.min(cursor, walk.segment.end - 1);
  for (let e = dirEvent + 1; e <= last; e++) {
    const k = eventKind(trace, e);
    if (k === TraceKind.DirChecked) {
      if (eventPasid(trace, e) >= hi) break;
      continue;
    }
    if (k !== TraceKind.LeafChecked) continue;
    const p0 = eventPasid(trace, e);
    if (p0 >= hi) break;
    const n = eventRunLength(trace, e);
    const outcome = leafOutcome(trace, e);
    for (let p = Math.max(lo, p0); p < Math.min(hi, p0 + n); p++) {
      slots[p - lo] = { outcome, event: e, did: leafDidAt(trace, e, p - p0) };
    }
  }
  return slots;
}

/** How far (in events) the walk's target is looked for around the cursor. */
const TARGET_SCAN = 4096;

/**
 * The PASID entry a walk is about at the cursor: the first PASID of the leaf check the walk is
 * on or comes to next (so that between events — a root, context or directory read, the device's
 * PASID-0 check — the entry card shows the walk's target, not whatever entry was read last), else
 * the last one it checked. Undefined when the walk checks no leaf near the cursor.
 */
export function walkTargetPasid(
  trace: Trace,
  segment: WalkSegmentRef,
  cursor: number,
): number | undefined {
  const from = Math.max(cursor, segment.start);
  const to = Math.min(segment.end, from + TARGET_SCAN);
  for (let e = from; e < to; e++) {
    if (eventKind(trace, e) === TraceKind.LeafChecked) return eventPasid(trace, e);
  }
  const back = Math.max(segment.start, cursor - TARGET_SCAN);
  for (let e = Math.min(cursor, segment.end - 1); e >= back; e--) {
    if (eventKind(trace, e) === TraceKind.LeafChecked) return eventPasid(trace, e);
  }
  return undefined;
}
