// One PASID table: the 64 leaf entries of the directory entry the walk is on, 8 × 8, each slot
// coloured by its state (what memory holds, then what QEMU decided) and marked when current.

import { hex, pasidRange } from '../../format.ts';
import { CELL_STYLES, type CellState } from '../cellStates.ts';
import { TYPE, firstThatFits, part, type CellItem, type PartModel } from './geometry.ts';

export const TABLE_TITLE_H = 20;
const GAP = 2;
const MIN_SLOT = 12;
const MAX_SLOT = 26;
/** Slots at least this big carry their glyph at the minimum type size. */
const GLYPH_SLOT = 17;

export interface SlotFacts {
  readonly state: CellState;
  /** Extra words for the slot's tooltip ("DID 3 · FS"). */
  readonly detail: string;
}

export interface TableGridInput {
  readonly bdf: string;
  /** The directory entry whose table this is; undefined before any is known. */
  readonly dir: number | undefined;
  readonly tableBase: bigint | undefined;
  readonly slot: (pasid: number) => SlotFacts;
  /** PASIDs [from, to) are current. */
  readonly current: { readonly from: number; readonly to: number } | undefined;
  readonly lit: boolean;
  readonly x: number;
  readonly y: number;
  readonly maxW: number;
  readonly maxH: number;
  /** Room for the title (the table's column may be wider than its grid). */
  readonly titleWidth: number;
}

/** Slot size that fits 8 × 8 slots in the space, within [12, 26]. */
export function slotSize(maxW: number, maxH: number): number {
  const byW = Math.floor(maxW / 8) - GAP;
  const byH = Math.floor((maxH - TABLE_TITLE_H) / 8) - GAP;
  return Math.max(MIN_SLOT, Math.min(MAX_SLOT, byW, byH));
}

export function tableGridSize(maxW: number, maxH: number): { w: number; h: number } {
  const s = slotSize(maxW, maxH);
  return { w: 8 * (s + GAP), h: TABLE_TITLE_H + 8 * (s + GAP) };
}

export function layoutTableGrid(input: TableGridInput): PartModel {
  const { bdf, dir } = input;
  const s = slotSize(input.maxW, input.maxH);
  const { w, h } = tableGridSize(input.maxW, input.maxH);
  const cells: CellItem[] = [];
  const base = (dir ?? 0) * 64;
  for (let i = 0; i < 64; i++) {
    const pasid = base + i;
    const facts: SlotFacts =
      dir === undefined ? { state: 'unvisited', detail: '' } : input.slot(pasid);
    const current =
      dir !== undefined &&
      input.current !== undefined &&
      pasid >= input.current.from &&
      pasid < input.current.to;
    cells.push({
      key: `pasid:${bdf}:${hex(pasid)}`,
      x: (i % 8) * (s + GAP),
      y: TABLE_TITLE_H + Math.floor(i / 8) * (s + GAP),
      w: s,
      h: s,
      state: facts.state,
      glyph: CELL_STYLES[facts.state].glyph,
      glyphSize: s >= GLYPH_SLOT ? TYPE.glyph : 0,
      title: `PASID ${hex(pasid)}${facts.detail ? ` · ${facts.detail}` : ''} — ${CELL_STYLES[facts.state].label}`,
      current,
    });
  }
  const name = dir === undefined ? 'PASID table' : `PASID table ${dir.toString()}`;
  const titles =
    dir === undefined
      ? [name]
      : input.tableBase !== undefined
        ? [`${name} @ ${hex(input.tableBase)}`, name]
        : [`${name} · none`, name];
  return part({
    key: 'part:table',
    kind: 'table',
    name: `${name}${dir === undefined ? '' : `: PASIDs ${pasidRange(base, base + 63)}`}`,
    tone: dir !== undefined && input.tableBase === undefined ? 'missing' : 'ok',
    lit: input.lit,
    x: input.x,
    y: input.y,
    w,
    h,
    cells,
    texts: [
      {
        key: 'table:title',
        x: 0,
        y: TYPE.title,
        text: firstThatFits(titles, Math.max(w, input.titleWidth), TYPE.title, true),
        role: 'title',
        size: TYPE.title,
        anchor: 'start',
      },
    ],
  });
}
