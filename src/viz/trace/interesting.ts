// Which events are "interesting": a cache change, a refusal, a fault, a DID mismatch, a range clamp.
// Everything else is a run of skips or bookkeeping. Navigation jumps between interesting events and
// the timeline marks them.

import { DirOutcome, EmuSkipReason, LeafOutcome, TraceKind, type Trace } from '../../model/core.ts';

/** Whether event i changes a cache, is refused, faults or sets the walk's range. */
export function isInteresting(trace: Trace, i: number): boolean {
  const a = trace.a[i] ?? 0;
  switch (trace.kind[i] ?? 0) {
    case TraceKind.LeafChecked:
      return a !== LeafOutcome.NotPresent && a !== LeafOutcome.Unchanged;
    case TraceKind.DirChecked:
      return a === DirOutcome.ReadFailed;
    case TraceKind.EmuSkip:
      return a === EmuSkipReason.DidFilter;
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
    default:
      return false;
  }
}
