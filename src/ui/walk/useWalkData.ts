// What the walk view reads from the store: the last run, the scenario it was computed from, an index
// over its trace (built once per run) and guest memory at any scenario step.

import { useCallback, useMemo } from 'react';
import type { Scenario } from '../../model/index.ts';
import { useAppStore } from '../../state/hooks.ts';
import { memoryAtStep } from '../../state/memoryImage.ts';
import type { AppState } from '../../state/store.ts';
import { buildTraceIndex, type TraceIndex } from '../../viz/trace/traceIndex.ts';
import type { MemoryAtStep } from '../../viz/walk/cacheReplay.ts';

export interface WalkData {
  readonly run: NonNullable<AppState['run']>;
  readonly scenario: Scenario;
  readonly index: TraceIndex;
  readonly memoryAt: MemoryAtStep;
}

export function useWalkData(): WalkData | undefined {
  const run = useAppStore((s) => s.run);
  const scenario = useAppStore((s) => s.runOf);
  const trace = run?.result.trace;
  const index = useMemo(() => (trace ? buildTraceIndex(trace) : undefined), [trace]);
  const memoryAt = useCallback<MemoryAtStep>(
    (step) => {
      if (!scenario) return { readQword: () => 0n };
      return memoryAtStep(scenario, step);
    },
    [scenario],
  );
  return useMemo(
    () => (run && scenario && index ? { run, scenario, index, memoryAt } : undefined),
    [run, scenario, index, memoryAt],
  );
}
