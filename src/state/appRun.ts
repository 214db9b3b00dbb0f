// A run as the store keeps it: the worker's WireRun plus `result.final`, the model's CacheState,
// made from the cache columns the first time something reads it, and each device's host state
// unpacked from its columns when first read. Views never read it (they build
// rows from `caches` for what they show); tests and tools that want whole lists still can.

import type { CacheState, RunResult } from '../model/core.ts';
import { cacheStateOf } from '../shared/cacheColumns.ts';
import { lazyHostStates } from '../shared/hostWire.ts';
import type { AppRun, EngineResult, WireRun } from '../worker/protocol.ts';

export function appRunFromWire(wire: WireRun): AppRun {
  const caches = { ...wire.caches, host: lazyHostStates(wire.caches.host) };
  let final: CacheState | undefined;
  const result: RunResult = Object.defineProperty(
    { ...wire.result, final: undefined as never },
    'final',
    {
      enumerable: true,
      get: (): CacheState => (final ??= cacheStateOf(caches)),
    },
  );
  return { ...wire, result, caches };
}

export function appRunResult(answer: EngineResult<WireRun>): EngineResult<AppRun> {
  return answer.ok ? { ok: true, value: appRunFromWire(answer.value) } : answer;
}
