// Which events are "interesting": a cache change, a refusal, a fault, a DID mismatch, a range clamp.
// Everything else is a run of skips or bookkeeping. Navigation jumps between interesting events and
// the timeline marks them.

import {
  DirOutcome,
  EmuSkipReason,
  LeafOutcome,
  TraceKind,
  assertUnreachable,
  dirOutcome,
  emuSkipReason,
  eventKind,
  leafOutcome,
  type Trace,
} from '../../model/core.ts';

/** Whether event i changes a cache, is refused, faults or sets the walk's range. */
export function isInteresting(trace: Trace, i: number): boolean {
  const kind = eventKind(trace, i);
  switch (kind) {
    case TraceKind.LeafChecked: {
      const outcome = leafOutcome(trace, i);
      return outcome !== LeafOutcome.NotPresent && outcome !== LeafOutcome.Unchanged;
    }
    case TraceKind.DirChecked:
      return dirOutcome(trace, i) === DirOutcome.ReadFailed;
    case TraceKind.EmuSkip:
      return emuSkipReason(trace, i) === EmuSkipReason.DidFilter;
    case TraceKind.EmuCreated:
    case TraceKind.EmuRemoved:
    case TraceKind.EmuDiffers:
    case TraceKind.AccelRemoved:
    case TraceKind.AccelBypass:
    case TraceKind.AccelDeviceSkipped:
    case TraceKind.DescRejected:
    case TraceKind.DescBlocked:
    case TraceKind.SyncGated:
    case TraceKind.RangeClamp:
      return true;
    case TraceKind.HostCall:
      // Every host call is worth a stop: it is the only place they show.
      return true;
    case TraceKind.StepWrite:
    case TraceKind.StepClearIqe:
    case TraceKind.DescFetched:
    case TraceKind.DescNoEffect:
    case TraceKind.PcInfoBuilt:
    case TraceKind.WaitStatusWrite:
    case TraceKind.ContextCacheInv:
    case TraceKind.ReplayBegin:
    case TraceKind.SyncBegin:
    case TraceKind.GuestRead:
    case TraceKind.LookupResult:
    case TraceKind.EmuUnchanged:
    case TraceKind.AccelDeviceBegin:
    case TraceKind.AccelRemovalCheck:
    case TraceKind.RangeInit:
      return false;
    default:
      return assertUnreachable(kind, 'trace kind');
  }
}
