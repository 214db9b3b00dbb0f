// Which parts of the chain an event reads or changes: the walk lights them, so every event of a
// sync — the root, context and directory reads of a lookup included — shows where QEMU is.

import { LeafOutcome, Structure, TraceKind, type Trace } from '../../../model/core.ts';
import type { PartKind } from './geometry.ts';

function structurePart(structure: number): PartKind[] {
  switch (structure) {
    case Structure.RootEntry:
      return ['root'];
    case Structure.ContextEntry:
      return ['context'];
    case Structure.PasidDirEntry:
      return ['directory'];
    case Structure.PasidEntry:
      return ['table', 'entry'];
    default:
      return [];
  }
}

export function litPartsOf(trace: Trace, e: number): ReadonlySet<PartKind> {
  const k = (trace.kind[e] ?? 0) as TraceKind;
  const a = trace.a[e] ?? 0;
  switch (k) {
    case TraceKind.GuestRead:
      return new Set(structurePart(a));
    case TraceKind.LookupResult:
      return new Set<PartKind>(['entry']);
    case TraceKind.AccelDeviceBegin:
    case TraceKind.AccelDeviceSkipped:
      return new Set<PartKind>(['context']);
    case TraceKind.RangeInit:
    case TraceKind.RangeClamp:
    case TraceKind.DirChecked:
      return new Set<PartKind>(['directory']);
    case TraceKind.LeafChecked:
      return new Set<PartKind>(
        a === LeafOutcome.Created || a === LeafOutcome.Updated
          ? ['table', 'entry', 'accel']
          : ['table', 'entry'],
      );
    case TraceKind.AccelRemovalCheck:
    case TraceKind.AccelRemoved:
    case TraceKind.AccelBypass:
      return new Set<PartKind>(['accel']);
    case TraceKind.EmuSkip:
    case TraceKind.EmuCreated:
    case TraceKind.EmuRemoved:
    case TraceKind.EmuUnchanged:
    case TraceKind.EmuDiffers:
      return new Set<PartKind>(['emulated']);
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
      return new Set<PartKind>();
  }
  return new Set<PartKind>();
}
