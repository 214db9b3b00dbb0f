// "Predict" beside the composer's Submit: opens the prediction for the composed invalidation
// before it runs (its Reveal submits it).

import { useAppStore } from '../../state/index.ts';

export function PredictButton({ words }: { readonly words: readonly bigint[] }) {
  const predict = useAppStore((s) => s.predictInvalidation);
  return (
    <button
      type="button"
      className="btn"
      title="Before it runs: mark what this invalidation will do to each cache entry, then reveal the model's answer"
      onClick={() => void predict(words)}
    >
      Predict
    </button>
  );
}
