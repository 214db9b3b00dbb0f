// What the caches hold at a cursor, from the trace's change events: the accel list of each device in
// list order (QEMU inserts at the head) and each address space's emulated entry. Caches start empty at
// the scenario's first step; entry words are read back from guest memory at the step that stored them.

import { TraceKind, eventAddr, eventKind, eventPasid, type Trace } from '../../model/core.ts';
import { AccelOp, lastAtOrBefore, stepOfEvent, type TraceIndex } from '../trace/traceIndex.ts';

export interface GuestMemoryView {
  readQword(addr: bigint): bigint;
}

/** Guest memory as it was at scenario step k (before the step runs; memory is fixed within a step). */
export type MemoryAtStep = (step: number) => GuestMemoryView;

export interface AccelListEntry {
  readonly pasid: number;
  /** The change event whose words the entry holds (its creation or last update). */
  readonly wordsEvent: number;
  readonly createdEvent: number;
}

export interface AccelListSnapshot {
  readonly length: number;
  /** Head first, at most the number asked for. */
  readonly head: readonly AccelListEntry[];
}

/** The device's accel list after event `cursor`: its length and its first `limit` entries. */
export function accelListAt(
  index: TraceIndex,
  device: number,
  cursor: number,
  limit: number,
): AccelListSnapshot {
  const log = index.accel[device];
  if (!log || log.n === 0) return { length: 0, head: [] };
  const last = lastAtOrBefore(log.event, cursor, log.n);
  if (last < 0) return { length: 0, head: [] };
  const length = log.length[last] ?? 0;
  const head: AccelListEntry[] = [];
  // Walking back in time: a removal hides the creation before it; the first create/update met for a
  // live PASID is its current contents; creations met in this order are the list from the head.
  const removedLater = new Set<number>();
  const latestWords = new Map<number, number>();
  for (let c = last; c >= 0 && head.length < Math.min(limit, length); c--) {
    const p = log.pasid[c] ?? 0;
    const op = log.op[c];
    const e = log.event[c] ?? 0;
    if (op === AccelOp.Removed) {
      removedLater.add(p);
      latestWords.delete(p);
    } else if (removedLater.has(p)) {
      if (op === AccelOp.Created) removedLater.delete(p);
    } else {
      if (!latestWords.has(p)) latestWords.set(p, e);
      if (op === AccelOp.Created) {
        head.push({ pasid: p, wordsEvent: latestWords.get(p) ?? e, createdEvent: e });
      }
    }
  }
  return { length, head };
}

/** The changes of one device's list that happened exactly at `event`. */
export function accelChangesAt(
  index: TraceIndex,
  device: number,
  event: number,
): readonly { readonly pasid: number; readonly op: AccelOp }[] {
  const log = index.accel[device];
  if (!log) return [];
  const out: { pasid: number; op: AccelOp }[] = [];
  for (let c = lastAtOrBefore(log.event, event, log.n); c >= 0; c--) {
    if (log.event[c] !== event) break;
    out.push({ pasid: log.pasid[c] ?? 0, op: (log.op[c] ?? AccelOp.Created) as AccelOp });
  }
  return out;
}

/** The event before `cursor` that last stored this PASID's words in the device's list. */
export function previousWordsEvent(
  index: TraceIndex,
  device: number,
  pasid: number,
  beforeEvent: number,
): number | undefined {
  const log = index.accel[device];
  if (!log) return undefined;
  for (let c = lastAtOrBefore(log.event, beforeEvent - 1, log.n); c >= 0; c--) {
    if (log.pasid[c] !== pasid) continue;
    return log.op[c] === AccelOp.Removed ? undefined : log.event[c];
  }
  return undefined;
}

export interface EmuEntryState {
  readonly valid: boolean;
  /** The EmuCreated event that filled it (also kept while invalid: QEMU keeps the old words). */
  readonly wordsEvent?: number;
  /** The last change at or before the cursor. */
  readonly changedAt?: number;
}

export function emuEntryAt(
  index: TraceIndex,
  device: number,
  pasid: number,
  cursor: number,
): EmuEntryState {
  const log = index.emu.get(`${device.toString()}:${pasid.toString()}`);
  if (!log) return { valid: false };
  const at = lastAtOrBefore(log.events, cursor);
  if (at < 0) return { valid: false };
  const changedAt = log.events[at] ?? 0;
  const valid = eventKind(index.trace, changedAt) === TraceKind.EmuCreated;
  let wordsEvent: number | undefined;
  for (let c = at; c >= 0; c--) {
    const e = log.events[c] ?? 0;
    if (eventKind(index.trace, e) === TraceKind.EmuCreated) {
      wordsEvent = e;
      break;
    }
  }
  return wordsEvent === undefined ? { valid, changedAt } : { valid, changedAt, wordsEvent };
}

/**
 * The 8 words `pasid`'s entry had at `event` (from memory at that event's step): the event's
 * address, or entry k of a LeafChecked run at addr + 64 k. Zeros for NO_ADDR.
 */
export function entryWordsAt(
  trace: Trace,
  memoryAt: MemoryAtStep,
  event: number,
  pasid: number,
): readonly bigint[] {
  const first = eventAddr(trace, event);
  const k =
    eventKind(trace, event) === TraceKind.LeafChecked ? pasid - eventPasid(trace, event) : 0;
  const addr = first === undefined ? undefined : first + BigInt(64 * Math.max(0, k));
  if (addr === undefined) return new Array<bigint>(8).fill(0n);
  const mem = memoryAt(stepOfEvent(trace, event));
  return Array.from({ length: 8 }, (_, w) => mem.readQword(addr + BigInt(w * 8)));
}
