// A cache drawn as a list: the accel PASID cache of a device (VTDAccelPASIDCacheEntry, head first,
// as QEMU inserts at the head) and the emulated entries of its address spaces. One piece serves
// every cache lane, so a later lane (the host's hwpt per PASID, beside the accel list) is another
// call with its own kind and rows.

import { count } from '../../format.ts';
import { CELL_STYLES } from '../cellStates.ts';
import {
  CARD_PAD,
  TYPE,
  firstThatFits,
  fitText,
  part,
  textWidth,
  type PartKind,
  type PartModel,
  type RowItem,
  type RowState,
} from './geometry.ts';

export const ROW_H = 22;
export const LIST_TITLE_H = 22;

export interface CacheRowFacts {
  readonly key: string;
  readonly text: string;
  /** Shorter forms of the same facts, longest first: the first that fits is drawn. */
  readonly short?: readonly string[];
  readonly state: RowState;
  readonly title: string;
  /** Absolute position the row flies in from when it was created at this event. */
  readonly enterFrom?: { readonly x: number; readonly y: number };
}

export interface CacheListInput {
  readonly kind: Extract<PartKind, 'accel' | 'emulated'>;
  /** Accessible name, starting with the cache's fixed name. */
  readonly name: string;
  /** Visible titles, longest first: the first that fits is drawn. */
  readonly titles: readonly string[];
  /** Rows head first (more than fit is fine: the rest is counted). */
  readonly rows: readonly CacheRowFacts[];
  /** Entries in the cache (rows may hold only the head, and ghosts of removed entries). */
  readonly length: number;
  readonly empty: string;
  readonly lit: boolean;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export function rowGlyph(state: RowState): string {
  if (state === 'plain') return '';
  if (state === 'more') return '⋯';
  return CELL_STYLES[state].glyph;
}

/** Room a row's text has left of the glyph column, in a list of width w. */
const ROW_TEXT_INSET = 2 * CARD_PAD + 28;

/**
 * The width a list needs so that every row shows uncut its shortest form, or (`first`) its first
 * shorter form: the one a list is given when the layout has the room.
 */
export function listWidthFor(
  rows: readonly CacheRowFacts[],
  form: 'shortest' | 'first' = 'shortest',
): number {
  return rows.reduce((m, r) => {
    const text = (form === 'first' ? r.short?.[0] : r.short?.at(-1)) ?? r.text;
    return Math.max(m, Math.ceil(textWidth(text, TYPE.body)) + 1 + ROW_TEXT_INSET);
  }, 0);
}

/** Rows that fit in a list of height h (title included). */
export function rowsThatFit(h: number): number {
  return Math.max(1, Math.floor((h - LIST_TITLE_H - 4) / ROW_H));
}

export function layoutCacheList(input: CacheListInput): PartModel {
  const { w, rows } = input;
  const fit = rowsThatFit(input.h);
  const live = rows.filter((r) => r.state !== 'removed').length;
  const overflow = rows.length > fit || input.length > live;
  const shown = overflow ? rows.slice(0, Math.max(0, fit - 1)) : rows;
  // Rows span the card less its padding; their text starts after the glyph column.
  const textW = w - ROW_TEXT_INSET;
  const items: RowItem[] = shown.map((r, i) => ({
    key: r.key,
    x: CARD_PAD,
    y: LIST_TITLE_H + i * ROW_H,
    w: w - 2 * CARD_PAD,
    h: ROW_H - 3,
    glyph: rowGlyph(r.state),
    text: firstThatFits([r.text, ...(r.short ?? [])], textW, TYPE.body),
    state: r.state,
    title: r.title,
    ...(r.enterFrom
      ? { enterFrom: { x: r.enterFrom.x - input.x, y: r.enterFrom.y - input.y } }
      : {}),
  }));
  const hidden = input.length - shown.filter((r) => r.state !== 'removed').length;
  if (overflow && hidden > 0) {
    items.push({
      key: `${input.kind}:more`,
      x: CARD_PAD,
      y: LIST_TITLE_H + shown.length * ROW_H,
      w: w - 2 * CARD_PAD,
      h: ROW_H - 3,
      glyph: rowGlyph('more'),
      text: `${count(hidden)} more`,
      state: 'more',
      title: `${count(input.length)} entries; the ${count(shown.length)} nearest the head are shown`,
    });
  }
  return part({
    key: `part:${input.kind}`,
    kind: input.kind,
    name: input.name,
    tone: 'ok',
    lit: input.lit,
    x: input.x,
    y: input.y,
    w,
    h: input.h,
    rows: items,
    texts: [
      {
        key: `${input.kind}:title`,
        x: CARD_PAD,
        y: CARD_PAD + TYPE.title - 2,
        text: firstThatFits(input.titles, w - 2 * CARD_PAD, TYPE.title, true),
        role: 'title',
        size: TYPE.title,
        anchor: 'start',
      },
      ...(rows.length === 0
        ? [
            {
              key: `${input.kind}:empty`,
              x: CARD_PAD,
              y: LIST_TITLE_H + TYPE.body + 2,
              text: fitText(input.empty, w - 2 * CARD_PAD, TYPE.body),
              role: 'note' as const,
              size: TYPE.note,
              anchor: 'start' as const,
            },
          ]
        : []),
    ],
  });
}
