// The plain-language account of the current trace event (viz/explain/explainStep.ts).

import type { Explanation } from '../../viz/explain/explainStep.ts';

export function StepExplanation({
  explanation,
}: {
  readonly explanation: Explanation | undefined;
}) {
  return (
    <section className="walk-explanation" aria-label="Step explanation" aria-live="off">
      <h3 className="walk-pane-title">What QEMU does here</h3>
      {explanation ? (
        <>
          <p className="walk-position">
            {explanation.position}
            {explanation.where ? (
              <>
                {' · '}
                <code>{explanation.where}</code>
              </>
            ) : null}
          </p>
          <p className="walk-sentence">{explanation.sentence}</p>
          {explanation.details.length > 0 ? (
            <ul className="walk-details">
              {explanation.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          ) : null}
        </>
      ) : (
        <p className="walk-sentence muted">Run a scenario to step through what QEMU does.</p>
      )}
    </section>
  );
}
