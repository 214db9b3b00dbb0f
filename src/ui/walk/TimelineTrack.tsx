// The timeline: a slider over every trace event (its value is the event index), drawn as one segment
// per scenario step with marks where something happens. Drag or click to scrub; the keys are the
// walk panel's (arrows, Home/End, ...).

import { memo, useCallback, useMemo, useRef, type PointerEvent } from 'react';
import type { Scenario } from '../../model/index.ts';
import type { TraceIndex } from '../../viz/trace/traceIndex.ts';
import { count } from '../../viz/format.ts';
import {
  eventToX,
  layoutTimeline,
  xToEvent,
  type TimelineModel,
} from '../../viz/timeline/timelineLayout.ts';
import { useElementSize } from './useElementSize.ts';

export interface TimelineTrackProps {
  readonly index: TraceIndex;
  readonly scenario: Scenario | undefined;
  readonly cursor: number;
  readonly valueText: string;
  readonly onSeek: (event: number, scrubbing: boolean) => void;
  readonly onScrubEnd: () => void;
}

const HEIGHT = 34;
const TRACK_Y = 14;
const TRACK_H = 14;

export function TimelineTrack({
  index,
  scenario,
  cursor,
  valueText,
  onSeek,
  onScrubEnd,
}: TimelineTrackProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(boxRef, { width: 600, height: 34 });
  const model = useMemo(() => layoutTimeline(index, width, scenario), [index, width, scenario]);
  const cx = eventToX(model, cursor);
  const currentStep = model.segments.find((g) => g.start <= cursor && cursor < g.end)?.step ?? -1;
  const dragging = useRef(false);

  const seekAt = useCallback(
    (clientX: number, scrubbing: boolean) => {
      const box = boxRef.current?.getBoundingClientRect();
      if (!box) return;
      onSeek(xToEvent(model, clientX - box.left), scrubbing);
    },
    [model, onSeek],
  );
  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0) return;
    dragging.current = true;
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus();
    seekAt(e.clientX, true);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>): void => {
    if (dragging.current) seekAt(e.clientX, true);
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>): void => {
    if (!dragging.current) return;
    dragging.current = false;
    e.currentTarget.releasePointerCapture(e.pointerId);
    onScrubEnd();
  };

  const last = Math.max(0, index.trace.length - 1);
  return (
    <div
      ref={boxRef}
      className="walk-track"
      role="slider"
      tabIndex={0}
      aria-label="Timeline"
      aria-valuemin={0}
      aria-valuemax={last}
      aria-valuenow={cursor}
      aria-valuetext={valueText}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
    >
      <svg width={model.width} height={HEIGHT} aria-hidden="true">
        <TrackStatic model={model} currentStep={currentStep} />
        <g className="walk-cursor" transform={`translate(${cx.toFixed(1)},0)`}>
          <line y1={TRACK_Y - 4} y2={TRACK_Y + TRACK_H + 4} />
          <path
            d={`M-5,${String(TRACK_Y + TRACK_H + 8)}L0,${String(TRACK_Y + TRACK_H + 2)}L5,${String(TRACK_Y + TRACK_H + 8)}Z`}
          />
        </g>
      </svg>
    </div>
  );
}

/** Segments and marks: drawn again only when the trace, the width or the current step changes. */
const TrackStatic = memo(function TrackStatic({
  model,
  currentStep,
}: {
  readonly model: TimelineModel;
  readonly currentStep: number;
}) {
  return (
    <>
      {model.segments.map((s) =>
        s.x1 > s.x0 ? (
          <g key={s.key} className={`walk-seg${s.step === currentStep ? ' current' : ''}`}>
            <rect
              x={s.x0 + 0.5}
              y={TRACK_Y}
              width={Math.max(1, s.x1 - s.x0 - 1)}
              height={TRACK_H}
              rx={2}
            />
            {s.x1 - s.x0 > 44 ? (
              <text x={s.x0 + 3} y={TRACK_Y - 3}>
                {`${String(s.step + 1)} ${s.label}`}
              </text>
            ) : null}
            <title>{`Step ${String(s.step + 1)}${s.label ? ` (${s.label})` : ''}: events ${count(s.start + 1)}–${count(s.end)}`}</title>
          </g>
        ) : null,
      )}
      {model.markers.map((m) => (
        <line
          key={m.key}
          className={`walk-mark state-${m.state}`}
          x1={m.x}
          x2={m.x}
          y1={TRACK_Y + 2}
          y2={TRACK_Y + TRACK_H - 2}
        />
      ))}
    </>
  );
});
