// What one scenario step cost QEMU, counted from the trace: guest reads by kind (directory entries,
// leaf entries, context lookups), bytes read, and the comparisons of QEMU's linear list search, per
// device. The accel walk's reads come from its directory / leaf events (runs count every entry);
// the bounded lookups (context entry, PASID-0 check, emulated and removal lookups) from GuestRead.

import {
  LeafOutcome,
  Structure,
  TraceKind,
  assertUnreachable,
  eventDevice,
  eventKind,
  eventRunLength,
  guestReadBytes,
  guestReadStructure,
  leafListComparesTotal,
  leafOutcome,
  type Trace,
} from '../../model/core.ts';
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
  const d = per[eventDevice(trace, i)];
  if (!d) return;
  const kind = eventKind(trace, i);
  switch (kind) {
    case TraceKind.GuestRead: {
      const structure = guestReadStructure(trace, i);
      d.bytes += guestReadBytes(trace, i);
      if (structure === Structure.RootEntry) d.contextLookups += 1;
      else if (structure === Structure.PasidDirEntry) d.dirReads += 1;
      else if (structure === Structure.PasidEntry) d.leafReads += 1;
      break;
    }
    case TraceKind.DirChecked: {
      const n = eventRunLength(trace, i);
      d.dirReads += n;
      d.walkDirReads += n;
      d.bytes += 8 * n;
      break;
    }
    case TraceKind.LeafChecked: {
      const n = eventRunLength(trace, i);
      const outcome = leafOutcome(trace, i);
      d.leafReads += n;
      d.walkLeafReads += n;
      d.bytes += 64 * n;
      // Every entry of a fill run searched the list (0 for skip outcomes).
      d.listCompares += leafListComparesTotal(trace, i);
      if (outcome === LeafOutcome.Created) d.created += n;
      if (outcome === LeafOutcome.Updated) d.updated += n;
      break;
    }
    case TraceKind.AccelRemoved:
      d.removed += 1;
      break;
    case TraceKind.StepWrite:
    case TraceKind.StepClearIqe:
    case TraceKind.DescFetched:
    case TraceKind.DescRejected:
    case TraceKind.DescBlocked:
    case TraceKind.DescNoEffect:
    case TraceKind.PcInfoBuilt:
    case TraceKind.WaitStatusWrite:
    case TraceKind.ContextCacheInv:
    case TraceKind.ReplayBegin:
    case TraceKind.SyncBegin:
    case TraceKind.SyncGated:
    case TraceKind.LookupResult:
    case TraceKind.EmuSkip:
    case TraceKind.EmuCreated:
    case TraceKind.EmuRemoved:
    case TraceKind.EmuUnchanged:
    case TraceKind.EmuDiffers:
    case TraceKind.AccelDeviceBegin:
    case TraceKind.AccelDeviceSkipped:
    case TraceKind.AccelRemovalCheck:
    case TraceKind.AccelBypass:
    case TraceKind.RangeInit:
    case TraceKind.RangeClamp:
    case TraceKind.HostCall:
      // Bookkeeping, a read already counted as a GuestRead event, or a host call (no guest read).
      break;
    default:
      assertUnreachable(kind, 'trace kind');
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
