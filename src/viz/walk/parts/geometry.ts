// Shared vocabulary of the walk view's layout pieces: boxes, text runs with their type size, cells
// and list rows, and the part model each piece returns. Every size is in the drawing's own units;
// the host scales the whole drawing by a factor >= 1, so a size here is the smallest it is shown.

import type { CellState } from '../cellStates.ts';

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export type TextRole = 'title' | 'body' | 'value' | 'note' | 'glyph';

export interface TextItem {
  readonly key: string;
  /** Relative to the part's origin. */
  readonly x: number;
  readonly y: number;
  readonly text: string;
  readonly role: TextRole;
  /** Font size in drawing units (never below MIN_TYPE). */
  readonly size: number;
  readonly anchor: 'start' | 'middle' | 'end';
}

export interface CellItem extends Box {
  readonly key: string;
  readonly state: CellState;
  readonly glyph: string;
  /** Glyph size; 0 when the cell is too small to carry a readable glyph. */
  readonly glyphSize: number;
  readonly title: string;
  readonly current: boolean;
}

export type RowState = CellState | 'plain' | 'more';

export interface RowItem extends Box {
  readonly key: string;
  readonly glyph: string;
  readonly text: string;
  readonly state: RowState;
  readonly title: string;
  /** For an entry created at this event: where it flies in from, relative to the part. */
  readonly enterFrom?: { readonly x: number; readonly y: number };
}

/** A line the part draws inside itself (the directory lens's connectors). */
export interface LineItem {
  readonly key: string;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** The parts of QEMU's chain, in the order it follows them, then the host lane and its hwpts. */
export type PartKind =
  'root' | 'context' | 'directory' | 'table' | 'entry' | 'accel' | 'emulated' | 'host' | 'hwpt';

export type PartTone = 'ok' | 'missing' | 'fault' | 'idle';

export interface PartModel extends Box {
  readonly key: string;
  readonly kind: PartKind;
  /** Accessible name; starts with the part's fixed name ("PASID table", "Accel PASID cache"…). */
  readonly name: string;
  readonly tone: PartTone;
  /** The current event reads or changes this part. */
  readonly lit: boolean;
  readonly texts: readonly TextItem[];
  readonly cells: readonly CellItem[];
  readonly rows: readonly RowItem[];
  readonly lines: readonly LineItem[];
}

/** Type sizes (drawing units). 12 is the floor: nothing in the drawing is smaller. */
export const TYPE = { title: 13, body: 12, note: 12, callout: 15, glyph: 12 } as const;
export const MIN_TYPE = 12;
export const LINE = 16;
export const CARD_PAD = 8;

// Advance widths as a share of the font size, a little above the average of the UI's sans-serif
// (hex digits and capitals are its widest), so that text measured here does not run over its box.
const ADVANCE = 0.58;
const ADVANCE_BOLD = 0.63;

export function textWidth(text: string, size: number, bold = false): number {
  return text.length * size * (bold ? ADVANCE_BOLD : ADVANCE);
}

/** The text cut with … so that it fits `width` at `size`. */
export function fitText(text: string, width: number, size: number, bold = false): string {
  if (textWidth(text, size, bold) <= width) return text;
  const max = Math.max(1, Math.floor(width / (size * (bold ? ADVANCE_BOLD : ADVANCE))) - 1);
  return `${text.slice(0, max)}…`;
}

/** The first of the candidates (longest first) that fits, else the last one cut to fit. */
export function firstThatFits(
  candidates: readonly string[],
  width: number,
  size: number,
  bold = false,
): string {
  const fits = candidates.find((c) => textWidth(c, size, bold) <= width);
  return fits ?? fitText(candidates.at(-1) ?? '', width, size, bold);
}

/**
 * The text broken at its spaces into lines that each fit `width` at `size`, so that no fact is cut:
 * a separator ("·", "→", "=") stays with the word before it and a "·" that would end a line is
 * dropped. Only a single word wider than the whole line is cut with … (never the case for the
 * walk's hex values and names at the widths the layout gives).
 */
export function wrapText(text: string, width: number, size: number, bold = false): string[] {
  if (textWidth(text, size, bold) <= width) return [text];
  const words: string[] = [];
  for (const w of text.split(' ')) {
    if (w === '') continue;
    if ((w === '·' || w === '→' || w === '=') && words.length > 0) {
      words[words.length - 1] = `${words[words.length - 1] ?? ''} ${w}`;
    } else words.push(w);
  }
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const next = line ? `${line} ${w}` : w;
    if (line && textWidth(next, size, bold) > width) {
      lines.push(line);
      line = w;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines.map((l) => fitText(l.replace(/ ·$/, ''), width, size, bold));
}

/** A card's title and body lines as text items, each wrapped (not cut) to the card's width. */
export function cardTexts(
  keyPrefix: string,
  width: number,
  title: string,
  lines: readonly string[],
): TextItem[] {
  const inner = width - 2 * CARD_PAD;
  const titleLines = wrapText(title, inner, TYPE.title, true);
  const items: TextItem[] = titleLines.map((text, i) => ({
    key: i === 0 ? `${keyPrefix}:title` : `${keyPrefix}:title${i.toString()}`,
    x: CARD_PAD,
    y: CARD_PAD + TYPE.title - 2 + i * LINE,
    text,
    role: 'title',
    size: TYPE.title,
    anchor: 'start',
  }));
  let row = titleLines.length - 1;
  lines.forEach((text, i) => {
    wrapText(text, inner, TYPE.body).forEach((piece, j) => {
      row += 1;
      items.push({
        key: `${keyPrefix}:line${i.toString()}${j > 0 ? `.${j.toString()}` : ''}`,
        x: CARD_PAD,
        y: CARD_PAD + TYPE.title - 2 + row * LINE + 1,
        text: piece,
        role: 'body',
        size: TYPE.body,
        anchor: 'start',
      });
    });
  });
  return items;
}

/** Body lines of a card laid out by cardTexts (wrapped lines and title lines past the first). */
export function cardTextLines(texts: readonly TextItem[]): number {
  const last = texts.reduce((m, t) => Math.max(m, t.y), CARD_PAD + TYPE.title - 2);
  return Math.round((last - (CARD_PAD + TYPE.title - 2)) / LINE);
}

/** Height of a card with a title and `lines` body lines. */
export function cardHeight(lines: number): number {
  return 2 * CARD_PAD + TYPE.title + lines * LINE;
}

export function part(
  p: Omit<PartModel, 'cells' | 'rows' | 'lines' | 'texts'> &
    Partial<Pick<PartModel, 'cells' | 'rows' | 'lines' | 'texts'>>,
): PartModel {
  return { texts: [], cells: [], rows: [], lines: [], ...p };
}
