// Which parts of the chain an event reads or changes: the walk lights them, so every event of a
// sync — the root, context and directory reads of a lookup included — shows where QEMU is.

import {
  LeafOutcome,
  Structure,
  assertUnreachable,
  readTraceEvent,
  type Trace,
} from '../../../model/core.ts';
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
  const ev = readTraceEvent(trace, e);
  switch (ev.kind) {
    case 'GuestRead':
      return new Set(structurePart(ev.structure));
    case 'LookupResult':
      return new Set<PartKind>(['entry']);
    case 'AccelDeviceBegin':
    case 'AccelDeviceSkipped':
      return new Set<PartKind>(['context']);
    case 'RangeInit':
    case 'RangeClamp':
    case 'DirChecked':
      return new Set<PartKind>(['directory']);
    case 'LeafChecked':
      return new Set<PartKind>(
        ev.outcome === LeafOutcome.Created || ev.outcome === LeafOutcome.Updated
          ? ['table', 'entry', 'accel']
          : ['table', 'entry'],
      );
    case 'AccelRemovalCheck':
    case 'AccelRemoved':
    case 'AccelBypass':
      return new Set<PartKind>(['accel']);
    case 'HostCall':
      return new Set<PartKind>(['host']);
    case 'EmuSkip':
    case 'EmuCreated':
    case 'EmuRemoved':
    case 'EmuUnchanged':
    case 'EmuDiffers':
      return new Set<PartKind>(['emulated']);
    case 'StepWrite':
    case 'StepClearIqe':
    case 'DescFetched':
    case 'DescRejected':
    case 'DescBlocked':
    case 'DescNoEffect':
    case 'PcInfoBuilt':
    case 'WaitStatusWrite':
    case 'ContextCacheInv':
    case 'ReplayBegin':
    case 'SyncBegin':
    case 'SyncGated':
      return new Set<PartKind>();
    default:
      return assertUnreachable(ev, 'trace event');
  }
}
