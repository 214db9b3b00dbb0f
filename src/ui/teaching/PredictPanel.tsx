// Predict, then reveal: for each cache entry the step could reach, the learner marks what will
// happen (a radio group per entry); "Reveal" runs the step and shows the model's answer beside
// theirs, the score as "N of M right" and QEMU's reason for every miss. Also lists a scenario's
// quiz (the steps a teacher asks about).

import { ENTRY_FATES, targetKey, type EntryFate } from '../../model/core.ts';
import { useAppStore } from '../../state/index.ts';
import './teaching.css';

const FATE_LABEL: Readonly<Record<EntryFate, string>> = {
  created: 'created',
  updated: 'updated',
  removed: 'removed',
  unchanged: 'unchanged',
};

const CACHE_LABEL = { accel: 'Accel', emulated: 'Emulated' } as const;

function QuizList() {
  const quiz = useAppStore((s) => s.scenario.quiz);
  const predictStep = useAppStore((s) => s.predictStep);
  if (!quiz || quiz.questions.length === 0) return null;
  return (
    <section className="panel quiz-panel" aria-label="Quiz">
      <div className="panel-head">
        <h2>Quiz{quiz.title ? `: ${quiz.title}` : ''}</h2>
      </div>
      <ol className="quiz-list">
        {quiz.questions.map((q) => (
          <li key={q.step}>
            <span>{q.question ?? `What does step ${q.step + 1} do to the caches?`}</span>{' '}
            <button
              type="button"
              className="btn small"
              onClick={() => predictStep(q.step, q.question)}
            >
              Predict step {q.step + 1}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function PredictPanel() {
  const p = useAppStore((s) => s.prediction);
  const error = useAppStore((s) => s.predictionError);
  const choose = useAppStore((s) => s.choosePrediction);
  const reveal = useAppStore((s) => s.revealPrediction);
  const close = useAppStore((s) => s.closePrediction);
  if (!p) {
    return (
      <>
        {error ? (
          <p className="predict-error" role="alert">
            {error}
          </p>
        ) : null}
        <QuizList />
      </>
    );
  }
  const revealed = p.reveal;
  const answered = p.targets.filter((t) => p.choices.has(targetKey(t))).length;
  return (
    <section className="panel predict-panel" aria-label="Prediction">
      <div className="panel-head">
        <h2>
          Predict step {p.step + 1}
          {p.origin === 'composer' ? ' (the invalidation you composed)' : ''}
        </h2>
        <button type="button" className="btn small ghost" onClick={() => close()}>
          Close<span className="visually-hidden"> prediction</span>
        </button>
      </div>
      <div className="panel-body">
        {p.question ? <p className="predict-question">{p.question}</p> : null}
        {p.targets.length === 0 ? (
          <p className="hint">
            No cache entry is cached before this step or reached by it: nothing to predict.
          </p>
        ) : (
          <p className="hint">
            For each entry, what will this step do to it?{' '}
            {revealed ? null : `${answered} of ${p.targets.length} marked.`}
          </p>
        )}
        {revealed ? (
          <p className="predict-score" role="status">
            {revealed.score}
          </p>
        ) : null}
        <ul className="predict-list" tabIndex={0} aria-label="Entries to predict">
          {(revealed?.entries ?? p.targets).map((t) => {
            const key = targetKey(t);
            const chosen = p.choices.get(key);
            const answer = revealed?.entries.find((e) => targetKey(e) === key);
            return (
              <li key={key} className={answer ? (answer.right ? 'right' : 'miss') : undefined}>
                <div
                  role="radiogroup"
                  aria-label={`Prediction for ${key}`}
                  className="predict-group"
                >
                  <span className="predict-entry" aria-hidden="true">
                    {CACHE_LABEL[t.cache]} <span className="mono">{t.bdf}</span> PASID {t.pasid}
                    {t.cachedBefore ? <span className="hint"> · cached</span> : null}
                  </span>
                  {ENTRY_FATES.map((f) => (
                    <label key={f} className={answer?.actual === f ? 'actual' : undefined}>
                      <input
                        type="radio"
                        name={`predict-${key}`}
                        value={f}
                        checked={chosen === f}
                        disabled={revealed !== undefined}
                        onChange={() => choose(key, f)}
                      />
                      {FATE_LABEL[f]}
                    </label>
                  ))}
                </div>
                {answer ? (
                  <p className="predict-answer">
                    <span className={answer.right ? 'badge ok' : 'badge miss'}>
                      {answer.right ? '✓ right' : '✗ miss'}
                    </span>{' '}
                    You: {answer.predicted ?? 'no answer'} · Model: {answer.actual}
                    {answer.right ? null : (
                      <span className="predict-reason"> — {answer.reason}</span>
                    )}
                  </p>
                ) : null}
              </li>
            );
          })}
        </ul>
        {revealed ? null : (
          <button type="button" className="btn primary" onClick={() => reveal()}>
            Reveal
          </button>
        )}
      </div>
    </section>
  );
}
