// The invalidation being composed: the composer's fields, kept while the person switches tabs or
// runs what they composed. Not undoable and not part of the scenario (submitting appends a step).

import type { SliceCreator } from './types.ts';

export type ComposerMode = 'pasid-cache' | 'piotlb' | 'context-cache' | 'wait' | 'raw';
export type PcGranularity = 'domain' | 'pasid' | 'global';
export type CcGranularity = 'global' | 'domain' | 'device';
/** PASID-IOTLB granularity: all of the PASID (G = 2) or page selective (G = 3). */
export type PiotlbComposerGranularity = 'pasid' | 'page';

export interface ComposerState {
  readonly mode: ComposerMode;
  readonly granularity: PcGranularity;
  readonly did: number;
  readonly pasid: number;
  readonly piotlbGranularity: PiotlbComposerGranularity;
  readonly piotlbDid: number;
  readonly piotlbPasid: number;
  /** First address, 4 KiB aligned (the form refuses anything else). */
  readonly piotlbAddr: bigint;
  /** Address mask: 2^am pages. */
  readonly piotlbAm: number;
  readonly piotlbIh: boolean;
  readonly ccGranularity: CcGranularity;
  readonly ccDid: number;
  /** Source ID = bus << 8 | devfn. */
  readonly ccSid: number;
  readonly ccFm: number;
  readonly waitSw: boolean;
  readonly waitIf: boolean;
  readonly waitFn: boolean;
  readonly waitData: number;
  readonly waitAddr: bigint;
  /** Raw mode: 4 words (only the first 2 are queued in a 128-bit queue). */
  readonly raw: readonly bigint[];
  readonly rawWidth: 128 | 256;
}

export const DEFAULT_COMPOSER: ComposerState = {
  mode: 'pasid-cache',
  granularity: 'domain',
  did: 1,
  pasid: 0,
  piotlbGranularity: 'page',
  piotlbDid: 1,
  piotlbPasid: 0,
  piotlbAddr: 0n,
  piotlbAm: 0,
  piotlbIh: false,
  ccGranularity: 'global',
  ccDid: 0,
  ccSid: 0,
  ccFm: 0,
  waitSw: true,
  waitIf: false,
  waitFn: false,
  waitData: 1,
  waitAddr: 0n,
  raw: [0x7n, 0n, 0n, 0n],
  rawWidth: 256,
};
export interface ComposerSlice {
  readonly composer: ComposerState;
  readonly setComposer: (patch: Partial<ComposerState>) => void;
}

export const createComposerSlice: SliceCreator<ComposerSlice> = (set, get) => ({
  composer: DEFAULT_COMPOSER,
  setComposer: (patch) => set({ composer: { ...get().composer, ...patch } }),
});
