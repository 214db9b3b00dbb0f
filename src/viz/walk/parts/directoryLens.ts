// The PASID directory as focus + context: an overview strip of the whole directory (entries merged
// into runs where they are narrower than a few pixels) and, under it, a magnified window of whole
// cells around the entry the walk is on, joined to its place in the strip. A lone present entry of
// a 16,384-entry directory is a full cell in the window, never a sliver.

import { count, hex, pasidRange } from '../../format.ts';
import { CELL_STYLES, strongerState, type CellState } from '../cellStates.ts';
import {
  MIN_TYPE,
  TYPE,
  firstThatFits,
  fitText,
  part,
  type CellItem,
  type LineItem,
  type PartModel,
  type TextItem,
} from './geometry.ts';

export interface DirWindow {
  readonly from: number;
  /** exclusive */
  readonly to: number;
}

/** Width of one magnified directory cell, gap included. */
export const LENS_CELL = 26;
const BUCKET_PX = 4;
const TITLE_Y = TYPE.title;
const STRIP_Y = 21;
const STRIP_H = 9;
const LENS_Y = 42;
const LENS_H = 22;
export const LENS_HEIGHT = LENS_Y + LENS_H + 16;

/** The window of `slots` entries of a directory of `n` entries that shows `focus` (a third in). */
export function lensWindow(n: number, focus: number, slots: number): DirWindow {
  const k = Math.max(1, Math.min(n, slots));
  const f = Math.max(0, Math.min(n - 1, focus));
  const from = Math.max(0, Math.min(n - k, f - Math.floor(k / 3)));
  return { from, to: from + k };
}

export interface DirectoryLensInput {
  readonly bdf: string;
  /** Entries in the directory as QEMU may walk it (2^(PDTS+7)), at least 1. */
  readonly entries: number;
  readonly dirBase?: bigint;
  readonly stateOf: (dir: number) => CellState;
  /** The strongest state of entries [from, to), when the caller can answer it faster. */
  readonly bucketState?: (from: number, to: number) => CellState;
  /** The entry (or first of a run of entries) the walk is on, if any. */
  readonly focus: number;
  /** Entries [focus, focus + span) are current; 0 when the event is not about the directory. */
  readonly span: number;
  readonly lit: boolean;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h?: number;
}

/** Entries per bucket of the overview strip (a bucket is at least BUCKET_PX wide). */
export function overviewBucketSize(entries: number, width: number): number {
  const buckets = Math.max(1, Math.floor(width / BUCKET_PX));
  return Math.max(1, Math.ceil(entries / buckets));
}

/** The strongest state of entries [from, to), one by one. */
export function rangeState(
  from: number,
  to: number,
  stateOf: (dir: number) => CellState,
): CellState {
  let st = stateOf(from);
  for (let dir = from + 1; dir < to; dir++) st = strongerState(st, stateOf(dir));
  return st;
}

/**
 * Runs of the strip: buckets of equal size, merged while they show the same state. `bucketState`
 * may answer a bucket faster than asking every entry (the layout memoises the walk's buckets).
 */
export function overviewRuns(
  entries: number,
  width: number,
  stateOf: (dir: number) => CellState,
  bucketState?: (from: number, to: number) => CellState,
): { from: number; to: number; state: CellState }[] {
  const per = overviewBucketSize(entries, width);
  const runs: { from: number; to: number; state: CellState }[] = [];
  for (let b = 0; b < entries; b += per) {
    const end = Math.min(entries, b + per);
    const st = bucketState ? bucketState(b, end) : rangeState(b, end, stateOf);
    const last = runs[runs.length - 1];
    if (last && last.state === st) last.to = end;
    else runs.push({ from: b, to: end, state: st });
  }
  return runs;
}

export function layoutDirectoryLens(input: DirectoryLensInput): PartModel {
  const { bdf, entries, w, stateOf } = input;
  const n = Math.max(1, entries);
  const win = lensWindow(n, input.focus, Math.floor(w / LENS_CELL));
  const isCurrent = (from: number, to: number): boolean =>
    input.span > 0 && from < input.focus + input.span && input.focus < to;
  const sx = (dir: number): number => (dir / n) * w;

  const cells: CellItem[] = overviewRuns(n, w, stateOf, input.bucketState).map((r) => ({
    key: `dirbin:${bdf}:${r.from.toString()}`,
    x: sx(r.from),
    y: STRIP_Y,
    w: Math.max(1.5, sx(r.to) - sx(r.from) - 0.5),
    h: STRIP_H,
    state: r.state,
    glyph: '',
    glyphSize: 0,
    title: `directory entries ${count(r.from)}–${count(r.to - 1)} — ${CELL_STYLES[r.state].label}`,
    current: isCurrent(r.from, r.to),
  }));
  const lensW = (win.to - win.from) * LENS_CELL;
  const lensX = Math.max(0, (w - lensW) / 2);
  for (let dir = win.from; dir < win.to; dir++) {
    const state = stateOf(dir);
    cells.push({
      key: `dir:${bdf}:${dir.toString()}`,
      x: lensX + (dir - win.from) * LENS_CELL,
      y: LENS_Y,
      w: LENS_CELL - 3,
      h: LENS_H,
      state,
      glyph: CELL_STYLES[state].glyph,
      glyphSize: TYPE.glyph,
      title: `directory entry ${count(dir)} (PASIDs ${pasidRange(dir * 64, dir * 64 + 63)}) — ${CELL_STYLES[state].label}`,
      current: isCurrent(dir, dir + 1),
    });
  }
  // Focus + context: the window's place on the strip, joined to the magnified row.
  const wx0 = sx(win.from);
  const wx1 = Math.max(wx0 + 2, sx(win.to));
  const lines: LineItem[] = [
    { key: 'lens:span', x1: wx0, y1: STRIP_Y + STRIP_H + 2, x2: wx1, y2: STRIP_Y + STRIP_H + 2 },
    { key: 'lens:left', x1: wx0, y1: STRIP_Y + STRIP_H + 2, x2: lensX, y2: LENS_Y - 2 },
    {
      key: 'lens:right',
      x1: wx1,
      y1: STRIP_Y + STRIP_H + 2,
      x2: lensX + lensW - 3,
      y2: LENS_Y - 2,
    },
  ];
  const labelY = LENS_Y + LENS_H + MIN_TYPE + 2;
  const edge = (dir: number, x: number, anchor: TextItem['anchor']): TextItem => ({
    key: `lens:index:${anchor}`,
    x,
    y: labelY,
    text: count(dir),
    role: 'note',
    size: TYPE.note,
    anchor,
  });
  // The context card already says where the directory is and how long: the title says it when
  // there is room.
  const title = firstThatFits(
    [
      `PASID directory · ${count(n)} entries${input.dirBase !== undefined ? ` @ ${hex(input.dirBase)}` : ''}`,
      `PASID directory · ${count(n)} entries`,
      'PASID directory',
      'PASID dir',
    ],
    w,
    TYPE.title,
    true,
  );
  const texts: TextItem[] = [
    {
      key: 'dir:title',
      x: 0,
      y: TITLE_Y,
      text: fitText(title, w, TYPE.title, true),
      role: 'title',
      size: TYPE.title,
      anchor: 'start',
    },
    edge(win.from, lensX, 'start'),
  ];
  if (win.to - win.from > 1) texts.push(edge(win.to - 1, lensX + lensW - 3, 'end'));
  const current = input.span > 0 && input.focus >= win.from && input.focus < win.to;
  const curX = lensX + (input.focus - win.from) * LENS_CELL + (LENS_CELL - 3) / 2;
  // The current index under its cell, when it clears the two edge labels.
  const room = TYPE.note * 0.62 * 6;
  if (current && curX - lensX > room && lensX + lensW - curX > room) {
    texts.push({ ...edge(input.focus, curX, 'middle'), key: 'lens:index:current' });
  }
  return part({
    key: 'part:directory',
    kind: 'directory',
    name: `PASID directory of ${bdf}: ${count(n)} entries, showing ${count(win.from)}–${count(win.to - 1)}`,
    tone: 'ok',
    lit: input.lit,
    x: input.x,
    y: input.y,
    w,
    h: Math.max(input.h ?? 0, LENS_HEIGHT),
    texts,
    cells,
    lines,
  });
}
