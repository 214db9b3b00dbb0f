// Measures the cost chart's points by running the model on generated scenarios (viz/cost/
// costScenarios.ts) on a fork of the store's engine (a worker of its own), one point at a time, so
// that neither the page nor the app's own simulation runs wait for it. Started only when the chart
// is shown.

import { useEffect, useState } from 'react';
import { useAppStoreApi } from '../../state/index.ts';
import type { MeasuredPoint } from '../../viz/cost/costChart.ts';
import { stepCost } from '../../viz/cost/costModel.ts';
import { costGrid, globalSyncScenario } from '../../viz/cost/costScenarios.ts';

export interface CostGrowth {
  readonly points: readonly MeasuredPoint[];
  readonly total: number;
  readonly error: string | undefined;
}

export function useCostGrowth(enabled: boolean): CostGrowth {
  const store = useAppStoreApi();
  const [state, setState] = useState<CostGrowth>({
    points: [],
    total: costGrid().length,
    error: undefined,
  });
  useEffect(() => {
    if (!enabled) return undefined;
    let cancelled = false;
    const engine = store.engine.fork();
    const done = store.getState().beginAnimation();
    void (async () => {
      const points: MeasuredPoint[] = [];
      try {
        for (const p of costGrid()) {
          if (cancelled) return;
          const answer = await engine.run({ scenario: globalSyncScenario(p) });
          if (cancelled) return;
          if (!answer.ok) {
            setState((s) => ({ ...s, error: answer.error.message }));
            return;
          }
          const cost = stepCost(answer.value.result.trace, 0).total;
          points.push({
            ...p,
            bytes: cost.bytes,
            leafReads: cost.leafReads,
            dirReads: cost.dirReads,
            listCompares: cost.listCompares,
            ms: answer.value.ms,
          });
          setState((s) => ({ ...s, points: [...points] }));
        }
      } finally {
        done();
      }
    })();
    return () => {
      cancelled = true;
      done();
      engine.dispose();
    };
  }, [enabled, store]);
  return state;
}
