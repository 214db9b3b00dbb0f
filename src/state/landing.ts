// Where the playhead lands when a run arrives. Opening a preset, a file or a link, and submitting
// an invalidation, land on the first event of the step concerned that matters (a cache entry made,
// updated or removed, a fault, a range clamp) and play from there unless motion is reduced. A
// variant switch keeps the step (and the event's place in it). Any other edit shows the end of the
// run, as the caches after the last step are what an edit is about. A `step=N` in the address bar
// at start-up names an exact event: the walk view seeks to it, and nothing plays.

import { DirOutcome, LeafOutcome, TraceKind, type Scenario, type Trace } from '../model/core.ts';
import type { AppRun } from '../worker/protocol.ts';
import type { ScenarioSource } from './persistence.ts';
import { stepOfEvent } from './cachesAtEvent.ts';

/** Whether event i is a moment worth landing on: a cache change, a fault, a refusal. (A range
 * clamp comes before every walk of a device with a small directory: landed on only when a step has
 * nothing else.) */
export function mattersForLanding(trace: Trace, i: number): boolean {
  const a = trace.a[i] ?? 0;
  switch (trace.kind[i] ?? 0) {
    case TraceKind.LeafChecked:
      return (
        a === LeafOutcome.Created ||
        a === LeafOutcome.Updated ||
        a === LeafOutcome.FetchError ||
        a === LeafOutcome.EntryInvalid
      );
    case TraceKind.DirChecked:
      return a === DirOutcome.ReadFailed;
    case TraceKind.AccelRemoved:
    case TraceKind.EmuCreated:
    case TraceKind.EmuRemoved:
    case TraceKind.DescRejected:
      return true;
    default:
      return false;
  }
}

/** The first event of step `step` that matters (else its first range clamp), or undefined. */
export function firstMomentOfStep(trace: Trace, step: number): number | undefined {
  const end = trace.stepStart[step + 1] ?? trace.length;
  let clamp: number | undefined;
  for (let i = trace.stepStart[step] ?? trace.length; i < end; i++) {
    if (mattersForLanding(trace, i)) return i;
    if (clamp === undefined && trace.kind[i] === TraceKind.RangeClamp) clamp = i;
  }
  return clamp;
}

export type LandingReason =
  /** A scenario was opened (preset, file, link) or the first run of the page. */
  | { readonly kind: 'opened' }
  /** An invalidation was appended: land in that step. */
  | { readonly kind: 'submitted'; readonly step: number }
  /** Only the variant changed: keep the step and the event's place in it. */
  | { readonly kind: 'variant'; readonly step: number; readonly offset: number }
  | { readonly kind: 'edited' };

export interface PreviousRun {
  readonly run: AppRun | undefined;
  readonly scenario: Scenario | undefined;
  readonly source: ScenarioSource | undefined;
  readonly cursor: number;
}

function sameSteps(a: Scenario, b: Scenario, n: number): boolean {
  for (let i = 0; i < n; i++) if (a.steps[i] !== b.steps[i]) return false;
  return true;
}

/** Why this run came: compares the scenario that ran with the one that ran before it. */
export function landingReason(
  previous: PreviousRun,
  scenario: Scenario,
  source: ScenarioSource,
): LandingReason {
  const before = previous.scenario;
  if (!before || !previous.run) return { kind: 'opened' };
  if (source !== previous.source && source.kind !== 'new' && !source.edited) {
    return { kind: 'opened' };
  }
  const n = before.steps.length;
  const added = scenario.steps[n];
  if (
    scenario.steps.length === n + 1 &&
    added?.op === 'invalidate' &&
    sameSteps(before, scenario, n)
  ) {
    return { kind: 'submitted', step: n };
  }
  if (
    scenario.variant !== before.variant &&
    scenario.steps === before.steps &&
    scenario.memory === before.memory &&
    scenario.devices === before.devices
  ) {
    const trace = previous.run.result.trace;
    if (trace.length === 0) return { kind: 'edited' };
    const at = Math.min(previous.cursor, trace.length - 1);
    const step = stepOfEvent(trace, at);
    return { kind: 'variant', step, offset: at - (trace.stepStart[step] ?? 0) };
  }
  return { kind: 'edited' };
}

export interface Landing {
  readonly cursor: number;
  /** Play from the cursor up to event `until` (the end of the step, at most LANDING_PLAY_EVENTS
   * on), or not at all. */
  readonly play: { readonly until: number } | false;
}

/** A landing plays the moment, not the whole run: this many events at most (a few seconds). */
export const LANDING_PLAY_EVENTS = 24;

function playTo(trace: Trace, from: number, step: number): { until: number } {
  const stepEnd = Math.min((trace.stepStart[step + 1] ?? trace.length) - 1, trace.length - 1);
  return { until: Math.min(stepEnd, from + LANDING_PLAY_EVENTS) };
}

/** Where the playhead goes for a new run, and whether it plays from there. */
export function landingFor(run: AppRun, reason: LandingReason, motion: boolean): Landing {
  const trace = run.result.trace;
  const last = Math.max(0, trace.length - 1);
  const end: Landing = { cursor: last, play: false };
  if (trace.length === 0) return end;
  switch (reason.kind) {
    case 'edited':
      return end;
    case 'variant': {
      const start = trace.stepStart[reason.step] ?? last;
      const stepEnd = (trace.stepStart[reason.step + 1] ?? trace.length) - 1;
      return {
        cursor: Math.min(start + reason.offset, Math.max(start, stepEnd), last),
        play: false,
      };
    }
    case 'opened':
    case 'submitted': {
      const step = reason.kind === 'submitted' ? reason.step : run.focusStep;
      if (step < 0) return end;
      const moment = firstMomentOfStep(trace, step);
      if (moment !== undefined) {
        const play = motion ? playTo(trace, moment, step) : undefined;
        return { cursor: moment, play: play && play.until > moment ? play : false };
      }
      // Nothing in the step changes a cache: walk it from its start, or show its end.
      const start = Math.min(trace.stepStart[step] ?? last, last);
      const stepEnd = Math.min((trace.stepStart[step + 1] ?? trace.length) - 1, last);
      return motion && start < stepEnd
        ? { cursor: start, play: playTo(trace, start, step) }
        : { cursor: stepEnd, play: false };
    }
  }
}

/** Whether the page may animate: not when the system asks for reduced motion or the address bar
 * says `?motion=off` (tests, screenshots); not outside a browser. */
export function motionAllowed(): boolean {
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return false;
  const v = new URLSearchParams(window.location.search).get('motion');
  if (v === 'off' || v === '0' || v === 'false') return false;
  return !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** Whether the address bar names an exact event (`step=N` in the query or the fragment). */
export function urlNamesStep(): boolean {
  if (typeof window === 'undefined') return false;
  const { search, hash } = window.location;
  return /(^|[?&#])step=\d+/.test(search) || /(^|[#&])step=\d+/.test(hash);
}
