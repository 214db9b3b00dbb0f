// The walk view panel: transport bar and timeline, the D3 walk drawing fitted to its box, the step
// explanation, the pseudo-code pane and the cost view, all following the playback cursor of the
// store. Three modes (walkMode.ts): in the app layout (with "Full view"), presentation mode for a
// projector (the drawing, the explanation and the pseudo-code only, large type) and the read-only
// embeddable player.

import { useCallback, useMemo, useRef, useState } from 'react';
import { shareUrlFor, useAppStore, useAppStoreApi } from '../../state/index.ts';
import { explainStep } from '../../viz/explain/explainStep.ts';
import { count } from '../../viz/format.ts';
import { callChain, lineForEvent } from '../../viz/pseudocode/lineForEvent.ts';
import { stepLabel } from '../../viz/timeline/timelineLayout.ts';
import { eventContext } from '../../viz/trace/eventContext.ts';
import { stepCount } from '../../viz/trace/traceIndex.ts';
import { CELL_STYLES, LEGEND_STATES } from '../../viz/walk/cellStates.ts';
import { fitDrawing } from '../../viz/walk/fit.ts';
import { layoutWalk } from '../../viz/walk/layout.ts';
import { deviceStartInStep } from '../../viz/walk/navigation.ts';
import type { WalkViewCallbacks } from '../../viz/walk/render.ts';
import { CostPanel } from './CostPanel.tsx';
import { PseudoCodePane } from './PseudoCodePane.tsx';
import { StepExplanation } from './StepExplanation.tsx';
import { SavePictureButton } from '../picture/SavePictureButton.tsx';
import { shareUrlAtStep } from './stepUrl.ts';
import { TimelineTrack } from './TimelineTrack.tsx';
import { TransportBar } from './TransportBar.tsx';
import { useElementSize } from './useElementSize.ts';
import { useReducedMotion } from './useReducedMotion.ts';
import { useStepInUrl } from './useStepInUrl.ts';
import { useWalkActions } from './useWalkActions.ts';
import { useWalkData } from './useWalkData.ts';
import { useWalkKeyboard } from './useWalkKeyboard.ts';
import { WalkCanvas } from './WalkCanvas.tsx';
import { appUrlFromEmbed, setWalkMode, type WalkMode } from './walkMode.ts';
import { stepDuration } from './walkMotion.ts';
import './walk.css';

/** Presentation mode draws everything at least 1.5× (12-unit type → 18 px). */
const PRESENT_MIN_SCALE = 1.5;

export function WalkPanel({ mode = 'app' }: { readonly mode?: WalkMode }) {
  const store = useAppStoreApi();
  const { data, progress } = useWalkData();
  const cursor = useAppStore((s) => s.cursor);
  const playing = useAppStore((s) => s.playing);
  const speed = useAppStore((s) => s.speed);
  const runStatus = useAppStore((s) => s.runStatus);
  const runError = useAppStore((s) => s.runError);
  const reducedMotion = useReducedMotion();
  // Full view is the app's (App sets the other panels aside while it is on); not in the other modes.
  const fullView = useAppStore((s) => s.walkFullView);
  const expanded = mode === 'app' && fullView;
  const [scrubbing, setScrubbing] = useState(false);
  const [resetZoomToken, setResetZoomToken] = useState(0);
  const panelRef = useRef<HTMLDivElement>(null);
  const canvasBoxRef = useRef<HTMLDivElement>(null);
  const box = useElementSize(canvasBoxRef, { width: 640, height: 360 });

  const trace = data?.run.result.trace;
  const last = Math.max(0, (trace?.length ?? 0) - 1);
  const at = Math.min(cursor, last);
  useStepInUrl(at, trace !== undefined, playing);

  // ---- derived views of the current event ----
  const devices = data?.scenario.devices.length ?? 1;
  const fit = useMemo(
    () => fitDrawing(box, devices, mode === 'present' ? PRESENT_MIN_SCALE : 1),
    [box, devices, mode],
  );
  const vm = useMemo(
    () =>
      data
        ? layoutWalk({
            index: data.index,
            cursor: at,
            scenario: data.scenario,
            memoryAt: data.memoryAt,
            width: fit.width,
            height: fit.height,
            callout: mode !== 'present',
          })
        : undefined,
    [data, at, fit, mode],
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
  const togglePresent = useCallback(() => {
    if (mode !== 'embed') setWalkMode(mode === 'present' ? 'app' : 'present');
  }, [mode]);
  const leave = useCallback(() => {
    if (mode === 'present') setWalkMode('app');
    else store.getState().setWalkFullView(false);
  }, [mode, store]);
  const actions = useWalkActions({ togglePresent, leave });
  useWalkKeyboard(panelRef, actions, trace !== undefined);

  const callbacks = useMemo<WalkViewCallbacks>(
    () => ({
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
    [store, vm],
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

  return (
    <div
      ref={panelRef}
      className={`walk-panel mode-${mode}${expanded ? ' expanded' : ''}`}
      data-motion={reducedMotion ? 'off' : 'on'}
    >
      {/* The panes below are h3: this names the level above them for assistive technology. */}
      <h2 className="walk-sr-only">Walk view</h2>
      <div className="walk-toolbar" role="toolbar" aria-label="Playback">
        <TransportBar
          actions={actions}
          playing={playing}
          speed={speed}
          onSpeed={(s) => store.getState().setSpeed(s)}
          disabled={!trace}
        />
        <span className="walk-toolbar-end">
          {mode === 'app' ? (
            <>
              {/* Tools of other features (e.g. saving the picture) go here. */}
              <button
                type="button"
                onClick={togglePresent}
                title="Presentation mode: the walk alone, in large type (P)"
              >
                Present
              </button>
              <button
                type="button"
                aria-pressed={expanded}
                onClick={() => store.getState().setWalkFullView(!expanded)}
                title={
                  expanded ? 'Back to the layout (Esc)' : 'Give the walk view the whole window'
                }
              >
                {expanded ? 'Exit full view' : 'Full view'}
              </button>
            </>
          ) : mode === 'present' ? (
            <button type="button" onClick={togglePresent} title="Back to the app (Esc or P)">
              Exit presentation
            </button>
          ) : (
            <a href={appUrlFromEmbed()} target="_blank" rel="noopener noreferrer">
              Open in PASIDscope
            </a>
          )}
        </span>
      </div>
      {data ? (
        <TimelineTrack
          index={data.index}
          scenario={data.scenario}
          cursor={at}
          valueText={valueText}
          onSeek={onSeek}
          onScrubEnd={onScrubEnd}
        />
      ) : null}
      <div className="walk-status">
        <span className="walk-where">
          {trace ? (
            <>
              step <strong>{step + 1}</strong>/{steps}
              {label ? <> · {label}</> : null} · event {count(at + 1)}/{count(trace.length)}
            </>
          ) : null}
        </span>
        <button
          type="button"
          className="walk-reset"
          onClick={() => setResetZoomToken((n) => n + 1)}
          title="Drag to pan, Ctrl + wheel to zoom; this puts the drawing back"
        >
          Reset view
        </button>
        {mode === 'app' ? (
          <button
            type="button"
            className="walk-link"
            onClick={() => void copyStepLink()}
            disabled={!trace}
            title="Copy a share link that opens at this event"
          >
            Link
          </button>
        ) : null}
        <SavePictureButton step={step} disabled={!trace} />
      </div>
      <div className="walk-body">
        {/* Focusable: when a tall drawing (several host objects, a long callout) scrolls in its
            box, keyboard users can scroll it too. */}
        <div className="walk-canvas" ref={canvasBoxRef} tabIndex={0}>
          {vm ? (
            <WalkCanvas
              vm={vm}
              scale={fit.scale}
              duration={duration}
              callbacks={callbacks}
              resetZoomToken={resetZoomToken}
              boxHeight={box.height}
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
        <div className="walk-side">
          <StepExplanation explanation={explanation} />
          <PseudoCodePane
            line={code?.line}
            chain={code?.chain ?? []}
            variant={data?.scenario.variant ?? 'seed'}
          />
          {mode === 'app' && data ? <CostPanel index={data.index} step={step} /> : null}
          {mode === 'app' ? (
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
          ) : null}
        </div>
      </div>
    </div>
  );
}
