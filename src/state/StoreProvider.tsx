import type { ReactNode } from 'react';
import { StoreContext } from './context.ts';
import type { AppStore } from './store.ts';

/** Supplies one app store to everything below it (tests mount their own). */
export function StoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return <StoreContext value={store}>{children}</StoreContext>;
}
