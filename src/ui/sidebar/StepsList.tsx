// The scenario as a timeline of guest steps, with each step's outcome from the last run. Selecting a
// step moves the playback cursor to its first trace event.

import { describeStep, selectRunIsCurrent, useAppStore } from '../../state/index.ts';
import { LinuxActionMenu } from './LinuxActionMenu.tsx';

const OP_LABEL = { write: 'write', invalidate: 'inv', clearIqe: 'IQE' } as const;

const STATUS_CLASS = {
  processed: 'ok',
  rejected: 'error',
  blocked: 'warn',
  applied: 'muted',
} as const;

export function StepsList() {
  const steps = useAppStore((s) => s.scenario.steps);
  const run = useAppStore((s) => s.run);
  const current = useAppStore(selectRunIsCurrent);
  const removeStep = useAppStore((s) => s.removeStep);
  const moveStep = useAppStore((s) => s.moveStep);
  const seekTo = useAppStore((s) => s.seekTo);
  const focus = current ? (run?.focusStep ?? -1) : -1;

  if (steps.length === 0) {
    return (
      <>
        <LinuxActionMenu />
        <div className="empty">
          No steps yet. Edit an entry (a guest write), submit an invalidation or add a Linux action.
        </div>
      </>
    );
  }
  return (
    <>
      <LinuxActionMenu />
      <ol className="steps-list" aria-label="Scenario steps">
        {steps.map((step, i) => {
          const result = current ? run?.result.steps[i] : undefined;
          const start = run?.result.trace.stepStart[i];
          return (
            <li key={i} className={`step-item${i === focus ? ' focus' : ''}`}>
              <span className="n">{i + 1}</span>
              <button
                type="button"
                className="btn ghost what"
                style={{ justifyContent: 'flex-start', padding: '1px 2px' }}
                title={
                  result?.error ??
                  (step.op === 'invalidate' && step.note
                    ? `${describeStep(step)} (${step.note})`
                    : describeStep(step))
                }
                disabled={!current || start === undefined}
                onClick={() => start !== undefined && seekTo(start)}
              >
                <span className="op">{OP_LABEL[step.op]}</span>
                {describeStep(step)}
              </button>
              <span className="header-group">
                {result ? (
                  <span className={`badge ${STATUS_CLASS[result.status]}`}>{result.status}</span>
                ) : null}
                <span className="step-move">
                  <button
                    type="button"
                    className="btn ghost"
                    aria-label={`Move step ${i + 1} up`}
                    title="Move this step up (host faults and quiz questions follow it)"
                    disabled={i === 0}
                    onClick={() => moveStep(i, i - 1)}
                  >
                    ▲
                  </button>
                  <button
                    type="button"
                    className="btn ghost"
                    aria-label={`Move step ${i + 1} down`}
                    title="Move this step down (host faults and quiz questions follow it)"
                    disabled={i === steps.length - 1}
                    onClick={() => moveStep(i, i + 1)}
                  >
                    ▼
                  </button>
                </span>
                <button
                  type="button"
                  className="btn ghost small"
                  aria-label={`Remove step ${i + 1}`}
                  title="Remove this step"
                  onClick={() => removeStep(i)}
                >
                  ✕
                </button>
              </span>
            </li>
          );
        })}
      </ol>
    </>
  );
}
