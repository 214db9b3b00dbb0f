// What one scenario step cost QEMU, counted from the trace: guest reads by kind (directory entries,
// leaf entries, context lookups), bytes read, and the comparisons of QEMU's linear list search, per
// device. The accel walk's reads come from its directory / leaf events (runs count every entry);
// the bounded lookups (context entry, PASID-0 check, emulated and removal lookups) from GuestRead.

import { LeafOutcome, Structure, TraceKind, type Trace } from '../../model/core.ts';
import { stepRange } from '../trace/steps.ts';

export interface DeviceCost {
  readonly bdf: string;
  /** vtd_dev_to_context_entry calls (each starts with a root-entry read). */
  readonly contextLookups: number;
  /** Directory entries read: by the accel walk, and by bounded lookups. */
  readonly dirReads: number;
  readonly walkDirReads: number;
  /** Leaf (PASID table) entries read: by the accel walk, and by bounded lookups. */
  readonly leafReads: number;
  readonly walkLeafReads: number;
  readonly bytes: number;
  /** Comparisons of vtd_accel_fill_pc's linear search. */
  readonly listCompares: number;
  readonly created: number;
  readonly updated: number;
  readonly removed: number;
}

export interface StepCost {
  readonly step: number;
  readonly devices: readonly DeviceCost[];
  readonly total: DeviceCost;
}

export type MutableDeviceCost = { -readonly [K in keyof DeviceCost]: DeviceCost[K] };

export function zeroCost(bdf: string): MutableDeviceCost {
  return {
    bdf,
    contextLookups: 0,
    dirReads: 0,
    walkDirReads: 0,
    leafReads: 0,
    walkLeafReads: 0,
    bytes: 0,
    listCompares: 0,
    created: 0,
    updated: 0,
    removed: 0,
  };
}

/** Adds what event i cost to its device's counters (per = one entry per trace device). */
export function addEventCost(per: readonly MutableDeviceCost[], trace: Trace, i: number): void {
  const d = per[trace.device[i] ?? -1];
  if (!d) return;
  const n = Math.max(1, trace.count[i] ?? 1);
  const a = trace.a[i] ?? 0;
  switch (trace.kind[i] ?? 0) {
    case TraceKind.GuestRead:
      d.bytes += trace.b[i] ?? 0;
      if (a === Structure.RootEntry) d.contextLookups += 1;
      else if (a === Structure.PasidDirEntry) d.dirReads += 1;
      else if (a === Structure.PasidEntry) d.leafReads += 1;
      break;
    case TraceKind.DirChecked:
      d.dirReads += n;
      d.walkDirReads += n;
      d.bytes += 8 * n;
      break;
    case TraceKind.LeafChecked:
      d.leafReads += n;
      d.walkLeafReads += n;
      d.bytes += 64 * n;
      if (a === LeafOutcome.Created || a === LeafOutcome.Updated || a === LeafOutcome.Unchanged) {
        d.listCompares += trace.c[i] ?? 0;
      }
      if (a === LeafOutcome.Created) d.created += n;
      if (a === LeafOutcome.Updated) d.updated += n;
      break;
    case TraceKind.AccelRemoved:
      d.removed += 1;
      break;
    default:
      break;
  }
}

/** The step's total over its devices. */
export function totalCost(devices: readonly DeviceCost[]): DeviceCost {
  const total = zeroCost('all devices');
  for (const d of devices) {
    for (const key of Object.keys(total) as (keyof DeviceCost)[]) {
      if (key !== 'bdf') total[key] += d[key];
    }
  }
  return total;
}

const cache = new WeakMap<Trace, Map<number, StepCost>>();

/** The cost of scenario step `step`, by one scan of its events (cached per trace). */
export function stepCost(trace: Trace, step: number): StepCost {
  let perTrace = cache.get(trace);
  if (!perTrace) {
    perTrace = new Map();
    cache.set(trace, perTrace);
  }
  const hit = perTrace.get(step);
  if (hit) return hit;
  const per = trace.devices.map((bdf) => zeroCost(bdf));
  const [start, end] = stepRange(trace, step);
  for (let i = start; i < end; i++) addEventCost(per, trace, i);
  const result = { step, devices: per, total: totalCost(per) };
  perTrace.set(step, result);
  return result;
}
