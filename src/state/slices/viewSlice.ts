// What the user is looking at: the sidebar tab, the selected entry, folded rows, the invalidation
// being composed, notices and the status announcement, plus the busy counters the idle hook reads.
// None of it is undoable and none of it is part of the scenario.

import type { PresetInfo } from '../presets.ts';
import type { EntryRef } from '../structures.ts';
import type { FoldState } from '../structureTree.ts';
import type { SliceCreator } from './types.ts';

export type SidebarTab = 'structures' | 'steps' | 'devices' | 'iommu';

export type ComposerMode = 'pasid-cache' | 'context-cache' | 'wait' | 'raw';
export type PcGranularity = 'domain' | 'pasid' | 'global';
export type CcGranularity = 'global' | 'domain' | 'device';

export interface ComposerState {
  readonly mode: ComposerMode;
  readonly granularity: PcGranularity;
  readonly did: number;
  readonly pasid: number;
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

/** Default share of the centre column for the walk view (the entry editor gets the rest). */
export const DEFAULT_WALK_FRACTION = 0.68;

export const DEFAULT_COMPOSER: ComposerState = {
  mode: 'pasid-cache',
  granularity: 'domain',
  did: 1,
  pasid: 0,
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

export type NoticeTone = 'error' | 'warning' | 'info';

export interface Notice {
  readonly id: number;
  readonly tone: NoticeTone;
  readonly title: string;
  readonly detail?: string;
  /** For file/link errors: each problem with its JSON path. */
  readonly issues?: readonly { readonly path: string; readonly message: string }[];
  /** Further lines shown as a list (an import's guesses, its warnings with their lines). */
  readonly notes?: readonly string[];
  /** Notices with the same topic replace each other (e.g. one autosave warning at a time). */
  readonly topic?: string;
}

export interface ViewSlice {
  readonly sidebarTab: SidebarTab;
  readonly selection: EntryRef | undefined;
  readonly fold: FoldState;
  readonly composer: ComposerState;
  readonly notices: readonly Notice[];
  /** The text of the role="status" region: each run's outcome. */
  readonly announcement: string;
  /** Animations the walk view has registered as running (the idle hook waits for 0). */
  readonly animations: number;
  /** Loads in progress (presets, imports, links) that are not engine requests yet. */
  readonly loading: number;
  /** The bundled presets (from scenarios/index.json). */
  readonly presets: readonly PresetInfo[];
  /** Share of the centre column the walk view takes (the rest is the entry editor), 0.2–0.85. */
  readonly walkFraction: number;
  readonly setWalkFraction: (fraction: number) => void;
  readonly setPresets: (presets: readonly PresetInfo[]) => void;
  readonly setSidebarTab: (tab: SidebarTab) => void;
  readonly select: (ref: EntryRef | undefined) => void;
  /** Sets a fold state explicitly (true = folded). */
  readonly setFold: (key: string, folded: boolean) => void;
  readonly setComposer: (patch: Partial<ComposerState>) => void;
  readonly pushNotice: (notice: Omit<Notice, 'id'>) => void;
  readonly dismissNotice: (id: number) => void;
  readonly clearNotices: (topic?: string) => void;
  readonly announce: (text: string) => void;
  /** Registers a running animation; call the returned function when it ends. */
  readonly beginAnimation: () => () => void;
  /** Brackets an asynchronous load for the idle hook. */
  readonly trackLoad: <T>(work: Promise<T>) => Promise<T>;
}

let noticeIds = 0;

export const createViewSlice: SliceCreator<ViewSlice> = (set, get) => ({
  sidebarTab: 'structures',
  selection: undefined,
  fold: {},
  composer: DEFAULT_COMPOSER,
  notices: [],
  announcement: '',
  animations: 0,
  loading: 0,
  presets: [],
  // The walk view is what people watch; the entry editor needs room only while editing (the
  // splitter gives it more).
  walkFraction: DEFAULT_WALK_FRACTION,
  setWalkFraction: (f) => {
    if (Number.isFinite(f)) set({ walkFraction: Math.min(0.85, Math.max(0.2, f)) });
  },
  setPresets: (presets) => set({ presets }),
  setSidebarTab: (sidebarTab) => set({ sidebarTab }),
  select: (selection) => set({ selection }),
  setFold: (key, folded) => set({ fold: { ...get().fold, [key]: folded } }),
  setComposer: (patch) => set({ composer: { ...get().composer, ...patch } }),
  pushNotice: (notice) => {
    const id = ++noticeIds;
    const kept = notice.topic
      ? get().notices.filter((n) => n.topic !== notice.topic)
      : get().notices;
    set({ notices: [...kept, { ...notice, id }] });
  },
  dismissNotice: (id) => set({ notices: get().notices.filter((n) => n.id !== id) }),
  clearNotices: (topic) =>
    set({ notices: topic === undefined ? [] : get().notices.filter((n) => n.topic !== topic) }),
  announce: (announcement) => set({ announcement }),
  beginAnimation: () => {
    set({ animations: get().animations + 1 });
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      set({ animations: Math.max(0, get().animations - 1) });
    };
  },
  trackLoad: async (work) => {
    set({ loading: get().loading + 1 });
    try {
      return await work;
    } finally {
      set({ loading: Math.max(0, get().loading - 1) });
    }
  },
});
