// The caches at the playhead: what both PASID caches held right after trace event `cursor`, so that
// the Caches panel, the structure browser's cached/stale marks and the outcome summary follow the
// walk instead of showing the end of the run while the walk is still half-way.
//
// Cheapest correct way: the run's final cache columns already describe the last event; for any
// other event the caches are rebuilt from the trace's own change events (accel fills, updates and
// removals; emulated creations and removals), indexed once per run in typed arrays:
//   - an accel list is the live creations, most recent first (QEMU inserts at the head, updates in
//     place, removes anywhere), so row j at `cursor` is found without replaying the list;
//   - each PASID's changes are indexed (by PASID, then time), so "what did this entry hold" and
//     "is it cached" are binary searches;
//   - entry words are read back from guest memory as it was at the step that stored them.
// Rows are built only for what a table shows; a table's stale count checks only the entries whose
// words are older than the last guest write.

import {
  DescType,
  LeafOutcome,
  NO_ADDR,
  TraceKind,
  descriptorTypeCode,
  type DeviceConfig,
  type Scenario,
  type Trace,
} from '../model/core.ts';
import { pasidLookup } from '../shared/entryLookup.ts';
import type { AppRun } from '../worker/protocol.ts';
import {
  accelStale,
  assembleCacheView,
  buildCacheView,
  cacheRow,
  emulatedStale,
  guestPasidEntry,
  guestPasidEntryAddress,
  memoryHolds,
  rowCache,
  sameWords,
  type CacheRow,
  type CacheTable,
  type CacheView,
} from './cacheView.ts';
import { memoryAtStep, type MemoryImage } from './memoryImage.ts';
import type { CacheMark } from './structureTree.ts';

// ---------------------------------------------------------------------------------------------
// Where the playhead is

export interface CacheMoment {
  /** 0-based scenario step of the event. */
  readonly step: number;
  /** 0-based trace event index. */
  readonly event: number;
  /** 1-based position of the event within its step, and the step's event count. */
  readonly eventInStep: number;
  readonly eventsInStep: number;
  /** The last event of the run: the caches are the run's final ones. */
  readonly atEnd: boolean;
  readonly lastEvent: number;
}

/** Index of the last element <= v in a sorted array of n elements (-1 if none). */
function lastAtOrBefore(sorted: ArrayLike<number>, v: number, n = sorted.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The scenario step an event belongs to (an empty step shares its start with the next one). */
export function stepOfEvent(trace: Trace, event: number): number {
  const steps = trace.stepStart.length - 1;
  return Math.max(0, Math.min(steps - 1, lastAtOrBefore(trace.stepStart, event, steps)));
}

export function cacheMoment(run: AppRun | undefined, cursor: number): CacheMoment | undefined {
  const trace = run?.result.trace;
  if (!trace || trace.length === 0) return undefined;
  const lastEvent = trace.length - 1;
  const event = Math.max(0, Math.min(Math.trunc(cursor), lastEvent));
  const step = stepOfEvent(trace, event);
  const start = trace.stepStart[step] ?? 0;
  const end = trace.stepStart[step + 1] ?? trace.length;
  return {
    step,
    event,
    eventInStep: event - start + 1,
    eventsInStep: Math.max(1, end - start),
    atEnd: event >= lastEvent,
    lastEvent,
  };
}

// ---------------------------------------------------------------------------------------------
// The change history of a run (built once per trace)

const AccelOp = { Created: 1, Updated: 2, Removed: 3 } as const;
const NEVER = 0xffff_ffff;

class U32List {
  data = new Uint32Array(64);
  n = 0;
  push(v: number): void {
    if (this.n === this.data.length) {
      const next = new Uint32Array(this.n * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n++] = v;
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.n);
  }
}

/** Every change of one device's accel list, in event order, with indexes made on first use. */
class AccelHistory {
  readonly event: Uint32Array;
  readonly pasid: Uint32Array;
  readonly op: Uint8Array;
  /** The list's length after change i. */
  readonly live: Uint32Array;
  readonly n: number;
  readonly removals: number;
  /** Changes that are not creations (updates and removals): none means each PASID has one change. */
  readonly rewrites: number;
  private creationsMade: { at: Uint32Array; killedAt: Uint32Array | undefined } | undefined;
  private byPasidMade: { pasids: Uint32Array; changes: Uint32Array } | undefined;

  constructor(event: U32List, pasid: U32List, op: U32List) {
    this.n = event.n;
    this.event = event.view();
    this.pasid = pasid.view();
    this.op = Uint8Array.from(op.view());
    this.live = new Uint32Array(this.n);
    let live = 0;
    let removals = 0;
    let rewrites = 0;
    for (let i = 0; i < this.n; i++) {
      const o = this.op[i];
      if (o === AccelOp.Created) live++;
      else {
        rewrites++;
        if (o === AccelOp.Removed) {
          live = Math.max(0, live - 1);
          removals++;
        }
      }
      this.live[i] = live;
    }
    this.removals = removals;
    this.rewrites = rewrites;
  }

  /** Change indices of the creations, ascending, and for each the change that removed it. */
  creations(): { at: Uint32Array; killedAt: Uint32Array | undefined } {
    if (this.creationsMade) return this.creationsMade;
    const at = new U32List();
    for (let i = 0; i < this.n; i++) if (this.op[i] === AccelOp.Created) at.push(i);
    const created = at.view();
    let killedAt: Uint32Array | undefined;
    if (this.removals > 0) {
      killedAt = new Uint32Array(created.length).fill(NEVER);
      // The creation a removal ends is the PASID's latest creation before it.
      const open = new Map<number, number>();
      let c = 0;
      for (let i = 0; i < this.n; i++) {
        const p = this.pasid[i] ?? 0;
        if (this.op[i] === AccelOp.Created) open.set(p, c++);
        else if (this.op[i] === AccelOp.Removed) {
          const k = open.get(p);
          if (k !== undefined) {
            killedAt[k] = i;
            open.delete(p);
          }
        }
      }
    }
    this.creationsMade = { at: created, killedAt };
    return this.creationsMade;
  }

  /** The changes of one PASID, ascending (a view into one shared array). */
  changesOf(pasid: number): Uint32Array {
    const { pasids, changes } = this.byPasid();
    // PASIDs are integers: the run of `pasid` follows the last entry <= pasid - 1.
    return changes.subarray(
      lastAtOrBefore(pasids, pasid - 1) + 1,
      lastAtOrBefore(pasids, pasid) + 1,
    );
  }

  /**
   * The changes ordered by (PASID, change): a sort, not a table indexed by PASID, because the
   * PASIDs are sparse (16,384 cached out of 2^20 on a large device) and a dense table would cost
   * 4 MiB and a 2^20-long prefix sum per device. A walk's changes usually come in PASID order
   * already, and then nothing is sorted.
   */
  private byPasid(): { pasids: Uint32Array; changes: Uint32Array } {
    if (this.byPasidMade) return this.byPasidMade;
    let ordered = true;
    for (let i = 1; i < this.n && ordered; i++) ordered = this.pasid[i - 1]! <= this.pasid[i]!;
    if (ordered) {
      const changes = new Uint32Array(this.n);
      for (let i = 0; i < this.n; i++) changes[i] = i;
      this.byPasidMade = { pasids: this.pasid, changes };
      return this.byPasidMade;
    }
    // One key per change, PASID in the high part: a plain numeric sort orders by PASID, then by
    // change (both fit in a double's 53 bits: PASIDs < 2^20, changes < 2^32).
    const keys = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) keys[i] = this.pasid[i]! * 2 ** 32 + i;
    keys.sort();
    const pasids = new Uint32Array(this.n);
    const changes = new Uint32Array(this.n);
    for (let k = 0; k < this.n; k++) {
      const key = keys[k]!;
      const p = Math.floor(key / 2 ** 32);
      pasids[k] = p;
      changes[k] = key - p * 2 ** 32;
    }
    this.byPasidMade = { pasids, changes };
    return this.byPasidMade;
  }

  /** The PASID's last change at or before change `last`, or -1. */
  lastChangeOf(pasid: number, last: number): number {
    const mine = this.changesOf(pasid);
    const k = lastAtOrBefore(mine, last);
    return k < 0 ? -1 : (mine[k] ?? -1);
  }

  /** The change before `change` of the same PASID, or -1. */
  previousChangeOf(pasid: number, change: number): number {
    return this.lastChangeOf(pasid, change - 1);
  }

  /** The live list after change `last`, head first, as creation change indices. */
  listAt(last: number): { length: number; creationAt(j: number): number } {
    const { at, killedAt } = this.creations();
    const newest = lastAtOrBefore(at, last);
    if (!killedAt) {
      return { length: newest + 1, creationAt: (j) => at[newest - j] ?? 0 };
    }
    const list = new U32List();
    for (let k = newest; k >= 0; k--) if ((killedAt[k] ?? NEVER) > last) list.push(at[k] ?? 0);
    const made = list.view();
    return { length: made.length, creationAt: (j) => made[j] ?? 0 };
  }
}

interface EmuHistory {
  /** Events of each address space (keyed by PASID), ascending. */
  readonly byPasid: ReadonlyMap<number, readonly number[]>;
}

interface CacheHistory {
  readonly accel: ReadonlyMap<string, AccelHistory>;
  readonly emulated: ReadonlyMap<string, EmuHistory>;
}

const histories = new WeakMap<Trace, CacheHistory>();

/** One pass over the trace: the accel and emulated change events, per device. */
function cacheHistory(trace: Trace): CacheHistory {
  const hit = histories.get(trace);
  if (hit) return hit;
  const pass = cacheHistoryPieces(trace);
  let step = pass.next();
  while (!step.done) step = pass.next();
  return step.value;
}

/** Trace events read between two yields of `cacheHistoryPieces` (a few milliseconds). */
const HISTORY_EVENTS_PER_PIECE = 40_000;

/** `cacheHistory` as pieces for workInSlices: a run of 400,000 events takes ~30 ms in one go. */
function* cacheHistoryPieces(trace: Trace): Generator<void, CacheHistory> {
  const accelLists = trace.devices.map(() => ({
    event: new U32List(),
    pasid: new U32List(),
    op: new U32List(),
  }));
  const emu = trace.devices.map(() => new Map<number, number[]>());
  const { kind, a, device, pasid, count } = trace;
  for (let i = 0; i < trace.length; i++) {
    if (i % HISTORY_EVENTS_PER_PIECE === HISTORY_EVENTS_PER_PIECE - 1) yield;
    const k = kind[i];
    if (k === TraceKind.LeafChecked) {
      const outcome = a[i];
      if (outcome !== LeafOutcome.Created && outcome !== LeafOutcome.Updated) continue;
      const log = accelLists[device[i] ?? -1];
      if (!log) continue;
      const op = outcome === LeafOutcome.Created ? AccelOp.Created : AccelOp.Updated;
      const first = pasid[i] ?? 0;
      for (let p = 0; p < Math.max(1, count[i] ?? 1); p++) {
        log.event.push(i);
        log.pasid.push(first + p);
        log.op.push(op);
      }
    } else if (k === TraceKind.AccelRemoved) {
      const log = accelLists[device[i] ?? -1];
      if (!log) continue;
      log.event.push(i);
      log.pasid.push(pasid[i] ?? 0);
      log.op.push(AccelOp.Removed);
    } else if (k === TraceKind.EmuCreated || k === TraceKind.EmuRemoved) {
      const spaces = emu[device[i] ?? -1];
      if (!spaces) continue;
      const p = pasid[i] ?? 0;
      const events = spaces.get(p);
      if (events) events.push(i);
      else spaces.set(p, [i]);
    }
  }
  const history: CacheHistory = {
    accel: new Map(
      trace.devices.map((bdf, d) => {
        const l = accelLists[d]!;
        return [bdf, new AccelHistory(l.event, l.pasid, l.op)];
      }),
    ),
    emulated: new Map(trace.devices.map((bdf, d) => [bdf, { byPasid: emu[d]! }])),
  };
  // A synchronous caller may have finished the same pass while this one was paused.
  const first = histories.get(trace);
  if (first) return first;
  histories.set(trace, history);
  return history;
}

/**
 * The run's change history with each device's indexes made (a piece per device, for
 * workInSlices): the by-PASID index and the creation list of each device, which the
 * views ask for (marks, host rows) in their first render.
 */
export function* warmCacheHistory(trace: Trace): Generator<void> {
  const history = histories.get(trace) ?? (yield* cacheHistoryPieces(trace));
  yield;
  for (const accel of history.accel.values()) {
    accel.changesOf(0);
    accel.creations();
    yield;
  }
}

// ---------------------------------------------------------------------------------------------
// Tables at an event

/** What the views need to read memory at any step of one scenario and run. */
interface MomentContext {
  readonly scenario: Scenario;
  readonly trace: Trace;
  /** Guest memory as the event at the playhead saw it. */
  readonly memNow: MemoryImage;
  /** Steps before step k that may write guest memory; equal counts mean equal memory. */
  readonly epochOf: (step: number) => number;
  readonly nowEpoch: number;
  /** First event of the playhead's step: changes from here on are marked. */
  readonly markFrom: number;
}

/** Per step: how many memory-writing steps come before it (writes, status-writing waits). */
function memoryEpochs(scenario: Scenario): Uint32Array {
  const out = new Uint32Array(scenario.steps.length + 1);
  for (let i = 0; i < scenario.steps.length; i++) {
    const s = scenario.steps[i];
    const writes =
      s?.op === 'write' ||
      (s?.op === 'invalidate' &&
        descriptorTypeCode(s.desc[0] ?? 0n) === DescType.Wait &&
        ((s.desc[0] ?? 0n) & 0x20n) !== 0n);
    out[i + 1] = (out[i] ?? 0) + (writes ? 1 : 0);
  }
  return out;
}

function wordsFromLeaf(
  scenario: Scenario,
  device: DeviceConfig,
  step: number,
  pasid: number,
): readonly bigint[] {
  const mem = memoryAtStep(scenario, step);
  const at = guestPasidEntryAddress(mem, scenario, device)(pasid);
  return 'addr' in at ? mem.readWords(at.addr, 8) : new Array<bigint>(8).fill(0n);
}

function accelTableAt(
  ctx: MomentContext,
  device: DeviceConfig,
  history: AccelHistory,
  cursor: number,
): CacheTable {
  const { scenario, trace, memNow, epochOf, nowEpoch, markFrom } = ctx;
  const last = lastAtOrBefore(history.event, cursor, history.n);
  const list = history.listAt(last);
  const n = list.length;
  const guest = guestPasidEntry(memNow, scenario, device);
  const fault = (pasid: number): number =>
    pasidLookup(memNow.guest, scenario.iommu, device.bus, device.devfn, pasid).fault;
  /** The words an entry held after change `change` (its last creation or update at or before). */
  const wordsAfter = (change: number): readonly bigint[] => {
    const event = history.event[change] ?? 0;
    return wordsFromLeaf(scenario, device, stepOfEvent(trace, event), history.pasid[change] ?? 0);
  };
  // PASIDs the playhead's step removed and that are not back in the list.
  const removed: number[] = [];
  const firstOfStep = lastAtOrBefore(history.event, markFrom - 1, history.n) + 1;
  if (history.removals > 0) {
    const seen = new Set<number>();
    for (let c = firstOfStep; c <= last; c++) {
      const p = history.pasid[c] ?? 0;
      if (history.op[c] !== AccelOp.Removed || seen.has(p)) continue;
      seen.add(p);
      if (history.op[history.lastChangeOf(p, last)] === AccelOp.Removed) removed.push(p);
    }
  }
  const liveRow = (i: number): { pasid: number; created: number; latest: number } => {
    const created = list.creationAt(i);
    const pasid = history.pasid[created] ?? 0;
    // A log of creations only (a fill): an entry's creation is its last change; no index needed.
    const latest = history.rewrites === 0 ? created : history.lastChangeOf(pasid, last);
    return { pasid, created, latest };
  };
  const staleOf = (pasid: number, latest: number, words: readonly bigint[]) => {
    if (epochOf(stepOfEvent(trace, history.event[latest] ?? 0)) === nowEpoch) return undefined;
    const g = guest(pasid);
    if ('words' in g && sameWords(g.words, words)) return undefined;
    return (
      accelStale(scenario.variant, words, pasid, g, fault(pasid)) ?? {
        reason: 'Guest memory no longer holds the cached words.',
        remedy: '',
      }
    );
  };
  const row = rowCache((i): CacheRow => {
    if (i >= n) {
      const pasid = removed[i - n] ?? 0;
      const gone = history.lastChangeOf(pasid, last);
      const held = history.previousChangeOf(pasid, gone);
      return cacheRow(
        `a:${device.bdf}:${pasid}:gone`,
        pasid,
        undefined,
        held >= 0 ? wordsAfter(held) : [],
        'removed',
        false,
        undefined,
      );
    }
    const { pasid, created, latest } = liveRow(i);
    const words = wordsAfter(latest);
    const createdNow = (history.event[created] ?? 0) >= markFrom;
    const updatedNow = !createdNow && (history.event[latest] ?? 0) >= markFrom;
    let old: readonly bigint[] | undefined;
    if (updatedNow) {
      // The words before this step: the PASID's last change before the step began.
      const before = history.lastChangeOf(pasid, firstOfStep - 1);
      if (before >= 0) old = wordsAfter(before);
    }
    return cacheRow(
      `a:${device.bdf}:${pasid}`,
      pasid,
      i + 1,
      words,
      createdNow ? 'created' : updatedNow ? 'updated' : undefined,
      true,
      staleOf(pasid, latest, words),
      old,
    );
  });
  let marked: number[] | undefined;
  let staleCount: number | undefined;
  return {
    device,
    kind: 'accel',
    length: n,
    rowCount: n + removed.length,
    get staleCount() {
      if (staleCount === undefined) {
        staleCount = 0;
        for (let i = 0; i < n; i++) {
          const { latest } = liveRow(i);
          if (epochOf(stepOfEvent(trace, history.event[latest] ?? 0)) === nowEpoch) continue;
          if (row(i).stale) staleCount++;
        }
      }
      return staleCount;
    },
    row,
    markedRows() {
      if (!marked) {
        marked = [];
        for (let i = 0; i < n; i++) {
          const { created, latest } = liveRow(i);
          const changedNow =
            (history.event[created] ?? 0) >= markFrom || (history.event[latest] ?? 0) >= markFrom;
          const mayBeStale = epochOf(stepOfEvent(trace, history.event[latest] ?? 0)) !== nowEpoch;
          if (changedNow || (mayBeStale && row(i).stale)) marked.push(i);
        }
        for (let j = 0; j < removed.length; j++) marked.push(n + j);
      }
      return marked;
    },
    markOf(pasid): CacheMark | undefined {
      const latest = history.lastChangeOf(pasid, last);
      if (latest < 0 || history.op[latest] === AccelOp.Removed) return undefined;
      if (epochOf(stepOfEvent(trace, history.event[latest] ?? 0)) === nowEpoch) return 'cached';
      const g = guest(pasid);
      return 'words' in g && sameWords(g.words, wordsAfter(latest)) ? 'cached' : 'stale';
    },
  };
}

function emulatedTableAt(
  ctx: MomentContext,
  device: DeviceConfig,
  history: EmuHistory | undefined,
  spaces: readonly string[],
  cursor: number,
): CacheTable {
  const { scenario, trace, memNow, markFrom } = ctx;
  const guest = guestPasidEntry(memNow, scenario, device);
  const where = guestPasidEntryAddress(memNow, scenario, device);
  const rows: CacheRow[] = [];
  const byPasid = new Map<number, CacheMark>();
  let staleCount = 0;
  // The device's address spaces exist from the start (invalid, zero words) until a sync fills them.
  const pasids = [...new Set([...spaces.map(Number), ...(history?.byPasid.keys() ?? [])])].sort(
    (x, y) => x - y,
  );
  for (const pasid of pasids) {
    const events = history?.byPasid.get(pasid) ?? [];
    const k = lastAtOrBefore(events, cursor);
    if (k < 0 && !spaces.includes(String(pasid))) continue;
    const lastEvent = k < 0 ? -1 : (events[k] ?? 0);
    const valid = lastEvent >= 0 && trace.kind[lastEvent] === TraceKind.EmuCreated;
    // QEMU keeps an invalidated entry's words: the last creation's words are what it holds.
    let filled = -1;
    for (let c = k; c >= 0 && filled < 0; c--) {
      if (trace.kind[events[c] ?? 0] === TraceKind.EmuCreated) filled = events[c] ?? 0;
    }
    const addr = filled >= 0 ? (trace.addr[filled] ?? NO_ADDR) : NO_ADDR;
    const words =
      addr === NO_ADDR
        ? new Array<bigint>(8).fill(0n)
        : memoryAtStep(scenario, stepOfEvent(trace, filled)).readWords(addr, 8);
    let stale;
    if (valid) {
      const w = where(pasid);
      if (!('addr' in w) || !memoryHolds(memNow, w.addr, words)) {
        const f = pasidLookup(memNow.guest, scenario.iommu, device.bus, device.devfn, pasid).fault;
        stale = emulatedStale(words, guest(pasid), f);
      }
      byPasid.set(pasid, stale ? 'stale' : 'cached');
    }
    if (stale) staleCount++;
    const change =
      lastEvent >= 0 && lastEvent >= markFrom ? (valid ? 'created' : 'removed') : undefined;
    rows.push(cacheRow(`e:${device.bdf}:${pasid}`, pasid, undefined, words, change, valid, stale));
  }
  const marked = rows.flatMap((r, i) => (r.change || r.stale ? [i] : []));
  return {
    device,
    kind: 'emulated',
    length: rows.length,
    rowCount: rows.length,
    staleCount,
    row: (i) => rows[i] ?? rows[0] ?? cacheRow('', 0, undefined, [], undefined, false, undefined),
    markedRows: () => marked,
    markOf: (pasid) => byPasid.get(pasid),
  };
}

/**
 * Both caches right after trace event `cursor` of the run, read against guest memory as that
 * event saw it. The run's last event gives the run's own final view (worker-made flags).
 */
export function cacheViewAt(
  scenario: Scenario,
  run: AppRun | undefined,
  cursor: number,
): CacheView {
  const moment = cacheMoment(run, cursor);
  if (!run || !moment || moment.atEnd) return buildCacheView(scenario, run);
  const trace = run.result.trace;
  const history = cacheHistory(trace);
  const epochs = memoryEpochs(scenario);
  // A write step has written by the time its event is shown.
  const stepNow = moment.step;
  const memStep = scenario.steps[stepNow]?.op === 'write' ? stepNow + 1 : stepNow;
  const ctx: MomentContext = {
    scenario,
    trace,
    memNow: memoryAtStep(scenario, memStep),
    epochOf: (step) => epochs[Math.min(step, epochs.length - 1)] ?? 0,
    nowEpoch: epochs[Math.min(memStep, epochs.length - 1)] ?? 0,
    markFrom: trace.stepStart[stepNow] ?? 0,
  };
  const accel: CacheTable[] = [];
  const emulated: CacheTable[] = [];
  for (const device of scenario.devices) {
    const accelLog = history.accel.get(device.bdf);
    if (run.caches.accel[device.bdf] !== undefined || device.backend === 'iommufd') {
      accel.push(accelTableAt(ctx, device, accelLog ?? NO_ACCEL_CHANGES, moment.event));
    }
    const spaces = run.caches.emulated[device.bdf];
    if (spaces) {
      const events = history.emulated.get(device.bdf);
      emulated.push(emulatedTableAt(ctx, device, events, Object.keys(spaces), moment.event));
    }
  }
  // FSTS.IQE as it was: set by a rejection at or before the playhead, cleared by a later clearIqe.
  return assembleCacheView(accel, emulated, iqeAt(trace, moment.event), stepNow);
}

const NO_ACCEL_CHANGES = new AccelHistory(new U32List(), new U32List(), new U32List());

/** Whether FSTS.IQE is set after event `cursor`. */
function iqeAt(trace: Trace, cursor: number): boolean {
  for (let i = Math.min(cursor, trace.length - 1); i >= 0; i--) {
    const k = trace.kind[i];
    if (k === TraceKind.DescRejected) return true;
    if (k === TraceKind.StepClearIqe) return false;
  }
  return false;
}

export interface StepChangesSoFar {
  readonly step: number;
  /** Changes of the step from its first event up to the playhead, per cache, first few listed. */
  readonly accel: readonly CacheChangeMark[];
  readonly emulated: readonly CacheChangeMark[];
  readonly accelTotal: number;
  readonly emulatedTotal: number;
}

interface CacheChangeMark {
  readonly bdf: string;
  readonly pasid: number;
  readonly kind: 'created' | 'updated' | 'removed';
}

const LISTED_CHANGES = 4;

/** What the playhead's step has changed so far, read off the trace (a scan of the step's events
 * up to the playhead). */
export function stepChangesAt(
  run: AppRun | undefined,
  cursor: number,
): StepChangesSoFar | undefined {
  const moment = cacheMoment(run, cursor);
  if (!run || !moment) return undefined;
  const t = run.result.trace;
  const accel: CacheChangeMark[] = [];
  const emulated: CacheChangeMark[] = [];
  let accelTotal = 0;
  let emulatedTotal = 0;
  for (let i = t.stepStart[moment.step] ?? 0; i <= moment.event; i++) {
    const k = t.kind[i];
    const bdf = t.devices[t.device[i] ?? -1] ?? '';
    const pasid = t.pasid[i] ?? 0;
    if (k === TraceKind.LeafChecked) {
      const o = t.a[i];
      if (o !== LeafOutcome.Created && o !== LeafOutcome.Updated) continue;
      const n = Math.max(1, t.count[i] ?? 1);
      const kind = o === LeafOutcome.Created ? 'created' : 'updated';
      for (let p = 0; p < n && accel.length < LISTED_CHANGES; p++) {
        accel.push({ bdf, pasid: pasid + p, kind });
      }
      accelTotal += n;
    } else if (k === TraceKind.AccelRemoved) {
      if (accel.length < LISTED_CHANGES) accel.push({ bdf, pasid, kind: 'removed' });
      accelTotal++;
    } else if (k === TraceKind.EmuCreated || k === TraceKind.EmuRemoved) {
      const kind = k === TraceKind.EmuCreated ? 'created' : 'removed';
      if (emulated.length < LISTED_CHANGES) emulated.push({ bdf, pasid, kind });
      emulatedTotal++;
    }
  }
  return { step: moment.step, accel, emulated, accelTotal, emulatedTotal };
}
