// The store's face of the busy tracker (an injected service): the actions that bracket loads and
// animations, and the number of loads under way for views that wait for a load to settle.

import type { BusyTracker } from '../services/busyTracker.ts';
import type { SliceCreator } from './types.ts';

export interface BusySlice {
  /** Loads in progress (presets, imports, links, exports) that are not engine requests yet. */
  readonly loading: number;
  /** Registers a running animation; call the returned function when it ends. */
  readonly beginAnimation: () => () => void;
  /** Brackets an asynchronous load for the idle hook. */
  readonly trackLoad: <T>(work: Promise<T>) => Promise<T>;
}

export const createBusySlice =
  (services: { readonly busy: BusyTracker }): SliceCreator<BusySlice> =>
  (set) => {
    const { busy } = services;
    return {
      loading: 0,
      beginAnimation: () => busy.begin('animation'),
      trackLoad: async (work) => {
        const end = busy.begin('load');
        set({ loading: busy.count('load') });
        try {
          return await work;
        } finally {
          end();
          set({ loading: busy.count('load') });
        }
      },
    };
  };
