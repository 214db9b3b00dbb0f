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
import { leafOutcomeState, type CellState } from '../walk/cellStates.ts';

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

/** The mark an interesting event leaves on the timeline (undefined: none). */
export function markerState(trace: Trace, i: number): CellState | undefined {
  const kind = eventKind(trace, i);
  switch (kind) {
    case TraceKind.LeafChecked:
      return leafOutcomeState(leafOutcome(trace, i), false);
    case TraceKind.EmuCreated:
      return 'created';
    case TraceKind.EmuRemoved:
    case TraceKind.AccelRemoved:
      return 'removed';
    case TraceKind.EmuDiffers:
      return 'differs';
    case TraceKind.EmuSkip:
      return 'did-mismatch';
    case TraceKind.RangeClamp:
    case TraceKind.HostCall:
      return undefined;
    case TraceKind.DirChecked:
      return 'dir-read-failed';
    // Refusals, gates and faults (and kinds that are never interesting) share one mark.
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
    case TraceKind.GuestRead:
    case TraceKind.LookupResult:
    case TraceKind.EmuUnchanged:
    case TraceKind.AccelDeviceBegin:
    case TraceKind.AccelDeviceSkipped:
    case TraceKind.AccelRemovalCheck:
    case TraceKind.AccelBypass:
    case TraceKind.RangeInit:
      return 'invalid';
    default:
      return assertUnreachable(kind, 'trace kind');
  }
}

/** The states a mark can take, in a fixed order: the index stores a mark as 1 + its position. */
export const MARK_STATES: readonly CellState[] = [
  'created',
  'updated',
  'removed',
  'differs',
  'did-mismatch',
  'dir-read-failed',
  'invalid',
  'fetch-error',
  'not-present',
  'unchanged',
  'skipped',
  'dir-present',
  'dir-not-present',
  'in-memory',
  'unvisited',
];

/** The mark of event i as a small number (0: no mark), for the trace index's typed array. */
export function markCode(trace: Trace, i: number): number {
  const state = markerState(trace, i);
  return state === undefined ? 0 : MARK_STATES.indexOf(state) + 1;
}

export function markFromCode(code: number): CellState | undefined {
  return code === 0 ? undefined : MARK_STATES[code - 1];
}
