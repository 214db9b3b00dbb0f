// The app store: one vanilla Zustand store per app instance, built by a factory (tests make fresh
// ones) and composed from slices. zundo's `temporal` wraps it once, tracking the scenario only.
// Side effects that follow the scenario (re-running it, autosaving it) are subscriptions set up here.

import { temporal } from 'zundo';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { TemporalState } from 'zundo';
import type { SimulationEngine } from './engine.ts';
import { saveAutosave } from './persistence.ts';
import { fetchRelative, type FetchText } from './presets.ts';
import { createPlaybackSlice } from './slices/playbackSlice.ts';
import { createRunSlice } from './slices/runSlice.ts';
import { createScenarioSlice } from './slices/scenarioSlice.ts';
import type { AppState, UndoableState } from './slices/types.ts';
import { createViewSlice } from './slices/viewSlice.ts';

export type { AppState } from './slices/types.ts';

export interface AppStoreOptions {
  readonly engine: SimulationEngine;
  /** Where autosave writes; none = no autosave (tests). */
  readonly storage?: Pick<Storage, 'getItem' | 'setItem'>;
  readonly fetchText?: FetchText;
  /** Undo history length. */
  readonly undoLimit?: number;
}

export type AppStore = StoreApi<AppState> & {
  readonly temporal: StoreApi<TemporalState<UndoableState>>;
  readonly engine: SimulationEngine;
  readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  /** Resolves when no engine request, load, autosave or animation is pending. */
  idle(): Promise<void>;
  /** Saves now if an autosave is waiting (e.g. on pagehide). */
  flushAutosave(): void;
  dispose(): void;
};

/** Saves slower than this are debounced instead of done on every edit. */
const SLOW_SAVE_MS = 25;
const DEBOUNCE_MS = 800;

export function createAppStore(options: AppStoreOptions): AppStore {
  const { engine, storage } = options;
  const services = { engine, fetchText: options.fetchText ?? fetchRelative };
  const base = createStore<AppState>()(
    temporal(
      (...a) => ({
        ...createScenarioSlice(services)(...a),
        ...createRunSlice(services)(...a),
        ...createPlaybackSlice(...a),
        ...createViewSlice(...a),
      }),
      {
        partialize: (s): UndoableState => ({ scenario: s.scenario }),
        equality: (a, b) => a.scenario === b.scenario,
        limit: options.undoLimit ?? 200,
      },
    ),
  );

  // ---- re-run whenever the scenario changes (coalesced to one request per task) ----
  let runQueued = false;
  const queueRun = (): void => {
    if (runQueued) return;
    runQueued = true;
    queueMicrotask(() => {
      runQueued = false;
      void base.getState().requestRun();
    });
  };

  // ---- autosave ----
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let lastSaveMs = 0;
  const saveNow = (): void => {
    if (saveTimer !== undefined) clearTimeout(saveTimer);
    saveTimer = undefined;
    if (!storage) return;
    const { scenario, scenarioSource } = base.getState();
    const t0 = performance.now();
    const outcome = saveAutosave(storage, scenario, scenarioSource);
    lastSaveMs = performance.now() - t0;
    if (outcome.ok) base.getState().clearNotices('autosave');
    else base.getState().pushNotice({ tone: 'warning', topic: 'autosave', title: outcome.message });
    notifyIdle();
  };
  const queueSave = (): void => {
    if (!storage) return;
    if (lastSaveMs < SLOW_SAVE_MS) {
      saveNow();
      return;
    }
    if (saveTimer !== undefined) clearTimeout(saveTimer);
    saveTimer = setTimeout(saveNow, DEBOUNCE_MS);
  };

  const unsubscribe = base.subscribe((s, prev) => {
    if (s.scenario !== prev.scenario) {
      queueRun();
      queueSave();
    } else if (s.scenarioSource !== prev.scenarioSource) {
      queueSave();
    }
  });

  // ---- idle ----
  const idleWaiters = new Set<() => void>();
  const isIdle = (): boolean => {
    const s = base.getState();
    return (
      !runQueued &&
      saveTimer === undefined &&
      engine.pending === 0 &&
      s.runStatus !== 'running' &&
      s.loading === 0 &&
      s.animations === 0
    );
  };
  function notifyIdle(): void {
    if (idleWaiters.size === 0 || !isIdle()) return;
    const waiters = [...idleWaiters];
    idleWaiters.clear();
    for (const w of waiters) w();
  }
  const unsubscribeIdle = base.subscribe(() => queueMicrotask(notifyIdle));
  const unsubscribeEngine = engine.onPendingChange(() => queueMicrotask(notifyIdle));

  const store: AppStore = Object.assign(base, {
    engine,
    storage,
    idle(): Promise<void> {
      return new Promise<void>((resolve) => {
        // Let queued microtasks (a run scheduled by the last edit) start before judging.
        queueMicrotask(() => {
          idleWaiters.add(resolve);
          notifyIdle();
        });
      });
    },
    flushAutosave(): void {
      if (saveTimer !== undefined) saveNow();
    },
    dispose(): void {
      unsubscribe();
      unsubscribeIdle();
      unsubscribeEngine();
      if (saveTimer !== undefined) clearTimeout(saveTimer);
      engine.dispose();
    },
  });
  return store;
}
