import { createContext } from 'react';
import type { AppStore } from './store.ts';

/** The app store of the surrounding <StoreProvider>. */
export const StoreContext = createContext<AppStore | undefined>(undefined);
