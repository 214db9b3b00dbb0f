// What one scenario step cost QEMU, counted from the trace: guest reads by kind (directory entries,
// leaf entries, context lookups), bytes read, and the comparisons of QEMU's linear list search, per
// device. The accel walk's reads come from its directory / leaf events (runs count every entry);
// the bounded lookups (context entry, PASID-0 check, emulated and removal lookups) from GuestRead.

import { LeafOutcome, Structure, TraceKind, type Trace } from '../../model/index.ts';
import { stepRange } from '../trace/traceIndex.ts';

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

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function zero(bdf: string): Mutable<DeviceCost> {
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

const cache = new WeakMap<Trace, Map<number, StepCost>>();

export function stepCost(trace: Trace, step: number): StepCost {
  let perTrace = cache.get(trace);
  if (!perTrace) {
    perTrace = new Map();
    cache.set(trace, perTrace);
  }
  const hit = perTrace.get(step);
  if (hit) return hit;
  const per = trace.devices.map((bdf) => zero(bdf));
  const [start, end] = stepRange(trace, step);
  const { kind, device, count, a, b, c } = trace;
  for (let i = start; i < end; i++) {
    const d = per[device[i] ?? -1];
    if (!d) continue;
    const n = Math.max(1, count[i] ?? 1);
    switch (kind[i] ?? 0) {
      case TraceKind.GuestRead:
        d.bytes += b[i] ?? 0;
        switch (a[i] ?? 0) {
          case Structure.RootEntry:
            d.contextLookups += 1;
            break;
          case Structure.PasidDirEntry:
            d.dirReads += 1;
            break;
          case Structure.PasidEntry:
            d.leafReads += 1;
            break;
          default:
            break;
        }
        break;
      case TraceKind.DirChecked:
        d.dirReads += n;
        d.walkDirReads += n;
        d.bytes += 8 * n;
        break;
      case TraceKind.LeafChecked: {
        d.leafReads += n;
        d.walkLeafReads += n;
        d.bytes += 64 * n;
        const o = a[i];
        if (o === LeafOutcome.Created || o === LeafOutcome.Updated || o === LeafOutcome.Unchanged) {
          d.listCompares += c[i] ?? 0;
        }
        if (o === LeafOutcome.Created) d.created += n;
        if (o === LeafOutcome.Updated) d.updated += n;
        break;
      }
      case TraceKind.AccelRemoved:
        d.removed += 1;
        break;
      default:
        break;
    }
  }
  const total = zero('all devices');
  for (const d of per) {
    for (const key of Object.keys(total) as (keyof DeviceCost)[]) {
      if (key !== 'bdf') total[key] += d[key];
    }
  }
  const result = { step, devices: per, total };
  perTrace.set(step, result);
  return result;
}
