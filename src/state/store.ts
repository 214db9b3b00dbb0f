// The app store: one vanilla Zustand store per app instance, built by a factory (tests make fresh
// ones) and composed from slices. zundo's `temporal` wraps it once, tracking the scenario only.
// Side effects that follow the scenario (re-running it, autosaving it) are subscriptions set up here.

import { temporal } from 'zundo';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { TemporalState } from 'zundo';
import type { SimulationEngine } from './engine.ts';
import { packScenarioSync } from '../worker/packing.ts';
import { saveAutosave, type SaveOutcome } from './persistence.ts';
import { scenarioWords } from './scenarioEdits.ts';
import { yieldToMain } from './yieldToMain.ts';
import { fetchRelative, type FetchText } from './presets.ts';
import { createCompareSlice } from './slices/compareSlice.ts';
import { createImportSlice } from './slices/importSlice.ts';
import { createPlaybackSlice } from './slices/playbackSlice.ts';
import { createRunSlice } from './slices/runSlice.ts';
import { createScenarioSlice } from './slices/scenarioSlice.ts';
import type { AppState, UndoableState } from './slices/types.ts';
import { createViewSlice } from './slices/viewSlice.ts';
import { createTeachingSlice } from './teachingSlice.ts';

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
  /** How presets and their index are fetched. */
  readonly fetchText: FetchText;
  /** Resolves when no engine request, load, autosave or animation is pending. */
  idle(): Promise<void>;
  /** Saves now if an autosave is waiting (e.g. on pagehide). */
  flushAutosave(): void;
  dispose(): void;
};

/** Autosave runs this long after the last edit. */
const SAVE_DELAY_MS = 150;
/** Large scenarios take a while to write out: wait for a pause in the edits. */
const LARGE_SAVE_DELAY_MS = 1500;
/** On pagehide, scenarios up to this many memory words are saved synchronously. */
const SYNC_SAVE_MAX_WORDS = 50_000;

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
        ...createImportSlice(services)(...a),
        ...createCompareSlice(services)(...a),
        ...createTeachingSlice(services)(...a),
      }),
      {
        partialize: (s): UndoableState => ({
          scenario: s.scenario,
          scenarioSource: s.scenarioSource,
        }),
        equality: (a, b) => a.scenario === b.scenario,
        limit: options.undoLimit ?? 200,
      },
    ),
  );

  // ---- re-run whenever the scenario changes (coalesced to one request per task) ----
  // Sending a large scenario to the worker copies all its words on this thread: that happens in a
  // task of its own, not in the one that just laid the new scenario out.
  let runQueued = false;
  const queueRun = (): void => {
    if (runQueued) return;
    runQueued = true;
    const large = scenarioWords(base.getState().scenario) > SYNC_SAVE_MAX_WORDS;
    void (large ? yieldToMain() : Promise.resolve()).then(() => {
      runQueued = false;
      void base.getState().requestRun();
    });
  };

  // ---- autosave ----
  // The engine packs the scenario (file text, compressed) off the page's thread; a burst of edits
  // is saved once. On pagehide a pending save of a small scenario is done synchronously here.
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let saving = false;
  let dirty = false;
  // A save writes only if no newer one (e.g. the synchronous pagehide save) has written already.
  let saveSeq = 0;
  let writtenSeq = 0;
  const report = (outcome: SaveOutcome): void => {
    if (outcome.ok) base.getState().clearNotices('autosave');
    else base.getState().pushNotice({ tone: 'warning', topic: 'autosave', title: outcome.message });
  };
  const saveNow = async (): Promise<void> => {
    saveTimer = undefined;
    if (!storage || saving) return;
    saving = true;
    dirty = false;
    const seq = ++saveSeq;
    const { scenario, scenarioSource } = base.getState();
    const packed = await engine.packScenario(scenario);
    if (seq > writtenSeq) {
      writtenSeq = seq;
      if (packed.ok)
        report(saveAutosave(storage, { packed: packed.value, source: scenarioSource }));
      else report({ ok: false, message: packed.error.message });
    }
    saving = false;
    if (dirty) queueSave();
    notifyIdle();
  };
  function queueSave(): void {
    if (!storage) return;
    dirty = true;
    if (saveTimer !== undefined) clearTimeout(saveTimer);
    const large = scenarioWords(base.getState().scenario) > SYNC_SAVE_MAX_WORDS;
    saveTimer = setTimeout(() => void saveNow(), large ? LARGE_SAVE_DELAY_MS : SAVE_DELAY_MS);
  }
  const flushNow = (): void => {
    if (!storage || !dirty) return;
    const { scenario, scenarioSource } = base.getState();
    if (scenarioWords(scenario) > SYNC_SAVE_MAX_WORDS) return;
    if (saveTimer !== undefined) clearTimeout(saveTimer);
    saveTimer = undefined;
    dirty = false;
    writtenSeq = ++saveSeq;
    report(saveAutosave(storage, { packed: packScenarioSync(scenario), source: scenarioSource }));
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
      !saving &&
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
    fetchText: services.fetchText,
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
      flushNow();
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
