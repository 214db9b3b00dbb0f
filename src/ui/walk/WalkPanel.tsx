// The walk view panel: timeline controls and track, the D3 walk view, the step explanation, the
// pseudo-code pane and the cost view, all following the playback cursor of the store. Compact in
// its place in the layout; "Full view" gives it the whole window (for teaching and projectors).

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useAppStore, useAppStoreApi } from '../../state/hooks.ts';
import { shareUrlFor } from '../../state/persistence.ts';
import { PLAYBACK_SPEEDS } from '../../state/slices/playbackSlice.ts';
import { explainStep } from '../../viz/explain/explainStep.ts';
import { count } from '../../viz/format.ts';
import { callChain, lineForEvent } from '../../viz/pseudocode/lineForEvent.ts';
import { stepLabel } from '../../viz/timeline/timelineLayout.ts';
import { eventContext } from '../../viz/trace/eventContext.ts';
import { stepCount } from '../../viz/trace/traceIndex.ts';
import { CELL_STYLES, LEGEND_STATES } from '../../viz/walk/cellStates.ts';
import { layoutWalk, type DirWindow } from '../../viz/walk/layout.ts';
import {
  deviceStartInStep,
  nextInteresting,
  nextStepStart,
  previousInteresting,
  previousStepStart,
} from '../../viz/walk/navigation.ts';
import type { WalkViewCallbacks } from '../../viz/walk/render.ts';
import { CostPanel } from './CostPanel.tsx';
import { PseudoCodePane } from './PseudoCodePane.tsx';
import { StepExplanation } from './StepExplanation.tsx';
import { SavePictureButton } from '../picture/SavePictureButton.tsx';
import { shareUrlAtStep, stepFromUrl, withStepInHash, withoutStepInSearch } from './stepUrl.ts';
import { TimelineTrack } from './TimelineTrack.tsx';
import { TransportIcon } from './TransportIcon.tsx';
import { useElementWidth } from './useElementWidth.ts';
import { useReducedMotion } from './useReducedMotion.ts';
import { useWalkData } from './useWalkData.ts';
import { useWalkKeyboard, type WalkKeyActions } from './useWalkKeyboard.ts';
import { WalkCanvas } from './WalkCanvas.tsx';
import { stepDuration } from './walkMotion.ts';
import './walk.css';

function speedLabel(s: number): string {
  return `${String(s)}×`;
}

export function WalkPanel() {
  const store = useAppStoreApi();
  const { data, progress } = useWalkData();
  const cursor = useAppStore((s) => s.cursor);
  const playing = useAppStore((s) => s.playing);
  const speed = useAppStore((s) => s.speed);
  const runStatus = useAppStore((s) => s.runStatus);
  const runError = useAppStore((s) => s.runError);
  const reducedMotion = useReducedMotion();
  const [expanded, setExpanded] = useState(false);
  const [scrubbing, setScrubbing] = useState(false);
  const [zoomState, setZoomState] = useState<{
    readonly trace: unknown;
    readonly windows: Readonly<Record<string, DirWindow>>;
  }>({ trace: undefined, windows: {} });
  const [resetZoomToken, setResetZoomToken] = useState(0);
  const panelRef = useRef<HTMLDivElement>(null);
  const canvasBoxRef = useRef<HTMLDivElement>(null);
  const canvasWidth = useElementWidth(canvasBoxRef, 720);

  const trace = data?.run.result.trace;
  const last = Math.max(0, (trace?.length ?? 0) - 1);
  const at = Math.min(cursor, last);
  // Zoom windows belong to one run: a new trace starts unzoomed.
  const dirWindows = useMemo(
    () => (zoomState.trace === trace ? zoomState.windows : {}),
    [zoomState, trace],
  );

  // ---- the step in the URL: read once, applied when the run of the opened scenario is in ----
  const [initialStep] = useState(() =>
    typeof window === 'undefined'
      ? undefined
      : stepFromUrl(window.location.search, window.location.hash),
  );
  const pendingStep = useRef<number | undefined>(initialStep);
  const [urlReady, setUrlReady] = useState(initialStep === undefined);
  useEffect(() => {
    const ready = (): boolean => {
      const s = store.getState();
      return (
        s.loading === 0 && s.run !== undefined && s.runOf === s.scenario && s.runStatus === 'done'
      );
    };
    const check = (): void => {
      if (pendingStep.current === undefined || !ready()) return;
      // After the run slice has placed the cursor for the new run.
      queueMicrotask(() => {
        const step = pendingStep.current;
        if (step === undefined || !ready()) return;
        pendingStep.current = undefined;
        store.getState().seekTo(step);
        setUrlReady(true);
      });
    };
    check();
    return store.subscribe(check);
  }, [store]);
  useEffect(() => {
    if (!urlReady || !trace || playing || typeof window === 'undefined') return undefined;
    const timer = setTimeout(() => {
      const { pathname, search, hash } = window.location;
      const next = `${pathname}${withoutStepInSearch(search)}${withStepInHash(hash, at)}`;
      if (next !== `${pathname}${search}${hash}`) {
        window.history.replaceState(window.history.state, '', next);
      }
    }, 200);
    return () => clearTimeout(timer);
  }, [urlReady, trace, at, playing]);

  // ---- derived views of the current event ----
  const vm = useMemo(
    () =>
      data
        ? layoutWalk({
            index: data.index,
            cursor: at,
            scenario: data.scenario,
            memoryAt: data.memoryAt,
            width: Math.max(560, canvasWidth),
            dirWindows,
          })
        : undefined,
    [data, at, canvasWidth, dirWindows],
  );
  const explanation = useMemo(
    () =>
      data
        ? explainStep(data.index, at, { scenario: data.scenario, memoryAt: data.memoryAt })
        : undefined,
    [data, at],
  );
  const code = useMemo(() => {
    if (!data || data.index.trace.length === 0) return undefined;
    const line = lineForEvent(data.index.trace, at);
    if (!line) return undefined;
    const ctx = eventContext(data.index, at);
    return { line, chain: callChain(line.fn, ctx, ctx.accelDevice !== undefined) };
  }, [data, at]);
  const step = vm?.step ?? 0;
  const steps = trace ? stepCount(trace) : 0;
  const label = data ? stepLabel(data.scenario.steps[step]) : '';
  const valueText = trace
    ? `Event ${count(at + 1)} of ${count(trace.length)}: step ${String(step + 1)} of ${String(steps)}${label ? ` (${label})` : ''}`
    : 'No run';

  // ---- actions ----
  const actions = useMemo<WalkKeyActions>(() => {
    const s = () => store.getState();
    const traceNow = () => s().run?.result.trace;
    const speedIndex = () => PLAYBACK_SPEEDS.findIndex((v) => v >= s().speed);
    return {
      togglePlay: () => (s().playing ? s().pause() : s().play()),
      stepBack: () => {
        s().pause();
        s().stepBack();
      },
      stepForward: () => {
        s().pause();
        s().stepForward();
      },
      jumpStart: () => {
        s().pause();
        s().seekTo(0);
      },
      jumpEnd: () => {
        s().pause();
        s().seekTo(Number.MAX_SAFE_INTEGER);
      },
      faster: () =>
        s().setSpeed(PLAYBACK_SPEEDS[Math.min(PLAYBACK_SPEEDS.length - 1, speedIndex() + 1)] ?? 8),
      slower: () => s().setSpeed(PLAYBACK_SPEEDS[Math.max(0, speedIndex() - 1)] ?? 0.25),
      previousInteresting: () => {
        const t = traceNow();
        const e = t ? previousInteresting(t, s().cursor) : undefined;
        s().pause();
        if (e !== undefined) s().seekTo(e);
      },
      nextInteresting: () => {
        const t = traceNow();
        const e = t ? nextInteresting(t, s().cursor) : undefined;
        s().pause();
        if (e !== undefined) s().seekTo(e);
      },
      previousStep: () => {
        const t = traceNow();
        s().pause();
        if (t) s().seekTo(previousStepStart(t, s().cursor));
      },
      nextStep: () => {
        const t = traceNow();
        s().pause();
        if (t) s().seekTo(nextStepStart(t, s().cursor));
      },
      collapse: () => setExpanded(false),
    };
  }, [store]);
  useWalkKeyboard(panelRef, actions, trace !== undefined);

  const callbacks = useMemo<WalkViewCallbacks>(
    () => ({
      onZoomDirs: (bdf, from, to) =>
        setZoomState((z) => ({
          trace: z.trace === trace ? z.trace : trace,
          windows: { ...(z.trace === trace ? z.windows : {}), [bdf]: { from, to } },
        })),
      onSelectDevice: (bdf) => {
        const s = store.getState();
        const t = s.run?.result.trace;
        const d = t?.devices.indexOf(bdf) ?? -1;
        if (!t || d < 0 || !vm) return;
        const e = deviceStartInStep(t, vm.step, d);
        s.pause();
        if (e !== undefined) s.seekTo(e);
      },
      beginAnimation: () => store.getState().beginAnimation(),
    }),
    [store, trace, vm],
  );
  const onSeek = useCallback(
    (e: number, scrub: boolean) => {
      const s = store.getState();
      s.pause();
      setScrubbing(scrub);
      s.seekTo(e);
    },
    [store],
  );
  const onScrubEnd = useCallback(() => setScrubbing(false), []);
  const copyStepLink = useCallback(async () => {
    const s = store.getState();
    let url: string;
    try {
      // A large scenario is compressed by the engine, off the page's thread.
      url = shareUrlAtStep(await shareUrlFor(store.engine, s.scenario, window.location), s.cursor);
    } catch (e) {
      s.pushNotice({
        tone: 'error',
        topic: 'share',
        title: `Could not make a link: ${e instanceof Error ? e.message : String(e)}`,
      });
      return;
    }
    const done = (): void =>
      s.pushNotice({
        tone: 'info',
        topic: 'share',
        title: `Link to event ${String(s.cursor + 1)} copied.`,
      });
    const fallback = (): void =>
      s.pushNotice({
        tone: 'info',
        topic: 'share',
        title: 'Copy this link to the current step:',
        detail: url,
      });
    if (navigator.clipboard?.writeText) navigator.clipboard.writeText(url).then(done, fallback);
    else fallback();
  }, [store]);

  const duration = reducedMotion || scrubbing ? 0 : stepDuration(playing, speed);
  const zoomed = Object.entries(dirWindows);

  return (
    <div
      ref={panelRef}
      className={`walk-panel${expanded ? ' expanded' : ''}`}
      data-motion={reducedMotion ? 'off' : 'on'}
    >
      <div className="walk-toolbar" role="toolbar" aria-label="Playback">
        <button
          type="button"
          onClick={actions.jumpStart}
          aria-label="Jump to start"
          title="Jump to start (Home)"
          disabled={!trace}
        >
          <TransportIcon name="start" />
        </button>
        <button
          type="button"
          onClick={actions.previousInteresting}
          aria-label="Previous interesting event"
          title="Previous interesting event (,)"
          disabled={!trace}
        >
          <TransportIcon name="previous-interesting" />
        </button>
        <button
          type="button"
          onClick={actions.stepBack}
          aria-label="Step back"
          title="Step back (←)"
          disabled={!trace}
        >
          <TransportIcon name="back" />
        </button>
        <button
          type="button"
          className="walk-play"
          onClick={actions.togglePlay}
          aria-label={playing ? 'Pause' : 'Play'}
          title={playing ? 'Pause (Space)' : 'Play (Space)'}
          disabled={!trace}
        >
          <TransportIcon name={playing ? 'pause' : 'play'} />
          {playing ? 'Pause' : 'Play'}
        </button>
        <button
          type="button"
          onClick={actions.stepForward}
          aria-label="Step forward"
          title="Step forward (→)"
          disabled={!trace}
        >
          <TransportIcon name="forward" />
        </button>
        <button
          type="button"
          onClick={actions.nextInteresting}
          aria-label="Next interesting event"
          title="Next interesting event (.)"
          disabled={!trace}
        >
          <TransportIcon name="next-interesting" />
        </button>
        <button
          type="button"
          onClick={actions.jumpEnd}
          aria-label="Jump to end"
          title="Jump to end (End)"
          disabled={!trace}
        >
          <TransportIcon name="end" />
        </button>
        <label className="walk-speed">
          Speed{' '}
          <select
            aria-label="Speed"
            value={String(speed)}
            onChange={(e) => store.getState().setSpeed(Number(e.target.value))}
          >
            {PLAYBACK_SPEEDS.map((s) => (
              <option key={s} value={String(s)}>
                {speedLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <span className="walk-where" aria-hidden="true">
          {trace ? (
            <>
              step <strong>{step + 1}</strong>/{steps}
              {label ? <> · {label}</> : null} · event {count(at + 1)}/{count(trace.length)}
            </>
          ) : null}
        </span>
        <span className="walk-toolbar-end">
          <button
            type="button"
            onClick={() => void copyStepLink()}
            disabled={!trace}
            title="Copy a share link that opens at this event"
          >
            Link to this step
          </button>
          <SavePictureButton step={step} disabled={!trace} />
          <button
            type="button"
            aria-pressed={expanded}
            onClick={() => setExpanded((x) => !x)}
            title={expanded ? 'Back to the layout (Esc)' : 'Give the walk view the whole window'}
          >
            {expanded ? 'Exit full view' : 'Full view'}
          </button>
        </span>
      </div>
      {data ? (
        <TimelineTrack
          index={data.index}
          scenario={data?.scenario}
          cursor={at}
          valueText={valueText}
          onSeek={onSeek}
          onScrubEnd={onScrubEnd}
        />
      ) : null}
      <div className="walk-body">
        <div className="walk-main">
          <div className="walk-canvas-bar">
            <span className="muted">
              Drag to pan · Ctrl + wheel to zoom · click a run of directory entries to zoom into it
            </span>
            {zoomed.map(([bdf, w]) => (
              <button
                key={bdf}
                type="button"
                onClick={() =>
                  setZoomState((z) => {
                    const windows = { ...(z.trace === trace ? z.windows : {}) };
                    delete windows[bdf];
                    return { trace, windows };
                  })
                }
              >
                {`${bdf}: directory ${count(w.from)}–${count(w.to - 1)} · show all`}
              </button>
            ))}
            <button type="button" onClick={() => setResetZoomToken((n) => n + 1)}>
              Reset pan / zoom
            </button>
          </div>
          <div className="walk-canvas" ref={canvasBoxRef}>
            {vm ? (
              <WalkCanvas
                vm={vm}
                duration={duration}
                callbacks={callbacks}
                resetZoomToken={resetZoomToken}
              />
            ) : (
              <p className="walk-empty">
                {progress < 1
                  ? `Preparing the walk view: indexing the trace… ${String(Math.floor(progress * 100))} %`
                  : runStatus === 'error'
                    ? `Not run: ${runError?.message ?? 'the scenario could not be run.'}`
                    : runStatus === 'running'
                      ? 'Running the scenario…'
                      : 'Load a preset or a scenario to watch QEMU walk it.'}
              </p>
            )}
          </div>
          <ul className="walk-legend" aria-label="Legend">
            {LEGEND_STATES.map((st) => (
              <li key={st}>
                <span className={`walk-swatch state-${st}`} aria-hidden="true">
                  {CELL_STYLES[st].glyph}
                </span>
                {CELL_STYLES[st].label}
              </li>
            ))}
          </ul>
        </div>
        <div className="walk-side">
          <StepExplanation explanation={explanation} />
          <PseudoCodePane
            line={code?.line}
            chain={code?.chain ?? []}
            variant={data?.scenario.variant ?? 'seed'}
          />
          {data ? <CostPanel index={data.index} step={step} /> : null}
        </div>
      </div>
    </div>
  );
}
