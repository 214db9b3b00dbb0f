// React access to the store. Select narrowly (primitives or stable references); wrap selectors that
// build new objects or arrays with useShallow.

import { useContext } from 'react';
import { useStore } from 'zustand';
import { StoreContext } from './context.ts';
import type { AppState } from './slices/types.ts';
import type { AppStore } from './store.ts';
import type { TemporalState } from 'zundo';
import type { UndoableState } from './slices/types.ts';

export function useAppStoreApi(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore must be used inside <StoreProvider>');
  return store;
}

export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(useAppStoreApi(), selector);
}

/** Undo/redo state (pastStates, futureStates, undo, redo, ...). */
export function useUndoHistory<T>(selector: (state: TemporalState<UndoableState>) => T): T {
  return useStore(useAppStoreApi().temporal, selector);
}
