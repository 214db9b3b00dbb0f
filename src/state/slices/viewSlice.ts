// What the user is looking at: the sidebar tab, the selected entry, folded rows, notices, the status
// announcement and the splitter. None of it is undoable and none of it is part of the scenario.

import type { PresetInfo } from '../presets.ts';
import type { EntryRef } from '../structures.ts';
import type { FoldState } from '../structureTree.ts';
import type { SliceCreator } from './types.ts';

export type SidebarTab = 'structures' | 'steps' | 'devices' | 'iommu';

/** Default share of the centre column for the walk view (the entry editor gets the rest). */
export const DEFAULT_WALK_FRACTION = 0.68;

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
  readonly notices: readonly Notice[];
  /** The text of the role="status" region: each run's outcome. */
  readonly announcement: string;
  /** The bundled presets (from scenarios/index.json). */
  readonly presets: readonly PresetInfo[];
  /** Share of the centre column the walk view takes (the rest is the entry editor), 0.2–0.85. */
  readonly walkFraction: number;
  readonly setWalkFraction: (fraction: number) => void;
  /** "Full view": the walk view has the whole window and the other panels are set aside. */
  readonly walkFullView: boolean;
  readonly setWalkFullView: (on: boolean) => void;
  readonly setPresets: (presets: readonly PresetInfo[]) => void;
  readonly setSidebarTab: (tab: SidebarTab) => void;
  readonly select: (ref: EntryRef | undefined) => void;
  /** Sets a fold state explicitly (true = folded). */
  readonly setFold: (key: string, folded: boolean) => void;
  readonly pushNotice: (notice: Omit<Notice, 'id'>) => void;
  readonly dismissNotice: (id: number) => void;
  readonly clearNotices: (topic?: string) => void;
  readonly announce: (text: string) => void;
}

let noticeIds = 0;

export const createViewSlice: SliceCreator<ViewSlice> = (set, get) => ({
  sidebarTab: 'structures',
  selection: undefined,
  fold: {},
  notices: [],
  announcement: '',
  presets: [],
  // The walk view is what people watch; the entry editor needs room only while editing (the
  // splitter gives it more).
  walkFraction: DEFAULT_WALK_FRACTION,
  setWalkFraction: (f) => {
    if (Number.isFinite(f)) set({ walkFraction: Math.min(0.85, Math.max(0.2, f)) });
  },
  walkFullView: false,
  setWalkFullView: (walkFullView) => set({ walkFullView }),
  setPresets: (presets) => set({ presets }),
  setSidebarTab: (sidebarTab) => set({ sidebarTab }),
  select: (selection) => set({ selection }),
  setFold: (key, folded) => set({ fold: { ...get().fold, [key]: folded } }),
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
});
