// The PASID entry the walk is on, with the fields that decide what QEMU does with it: P, PGTT, DID
// and the page-table pointer the cache will hold, plus the outcome once QEMU has checked it.

import { PASID_ENTRY, PGTT_NAMES, fieldByName, fieldDisplayValue } from '../../../model/core.ts';
import { hex } from '../../format.ts';
import { CELL_STYLES, type CellState } from '../cellStates.ts';
import { cardHeight, cardTextLines, cardTexts, part, type PartModel } from './geometry.ts';

const P = fieldByName(PASID_ENTRY, 'present');
const PGTT = fieldByName(PASID_ENTRY, 'pgtt');
const DID = fieldByName(PASID_ENTRY, 'did');
const FSPTPTR = fieldByName(PASID_ENTRY, 'fsptptr');
const SSPTPTR = fieldByName(PASID_ENTRY, 'ssptptr');

export const ENTRY_CARD_LINES = 4;

export interface EntryFields {
  readonly present: boolean;
  readonly pgtt: number;
  readonly did: number;
  /** The page-table pointer that matters for this PGTT; undefined for pass-through. */
  readonly pointer?: { readonly label: string; readonly value: bigint };
}

export function pgttShort(pgtt: number): string {
  switch (pgtt) {
    case 1:
      return 'FS';
    case 2:
      return 'SS';
    case 3:
      return 'nested';
    case 4:
      return 'PT';
    default:
      return `PGTT ${pgtt.toString()}`;
  }
}

/** The deciding fields of a 512-bit PASID entry. */
export function entryFields(words: readonly bigint[]): EntryFields {
  const pgtt = Number(fieldDisplayValue(words, PGTT));
  const base = {
    present: fieldDisplayValue(words, P) === 1n,
    pgtt,
    did: Number(fieldDisplayValue(words, DID)),
  };
  if (pgtt === 1)
    return { ...base, pointer: { label: 'FSPTPTR', value: fieldDisplayValue(words, FSPTPTR) } };
  if (pgtt === 2 || pgtt === 3)
    return { ...base, pointer: { label: 'SSPTPTR', value: fieldDisplayValue(words, SSPTPTR) } };
  return base;
}

export interface EntryCardInput {
  readonly pasid: number | undefined;
  readonly addr: bigint | undefined;
  readonly words: readonly bigint[] | undefined;
  /** The entry's state in the walk at this event (its slot's state). */
  readonly state: CellState;
  readonly lit: boolean;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h?: number;
}

export function layoutEntryCard(input: EntryCardInput): PartModel {
  const { pasid, words } = input;
  const f = words ? entryFields(words) : undefined;
  let lines: string[];
  if (pasid === undefined) lines = ['no PASID looked at yet', '', '', ''];
  else if (!f || input.addr === undefined) lines = ['no table: not reached', '', '', ''];
  else
    lines = [
      `@ ${hex(input.addr)}`,
      `P=${f.present ? '1' : '0'} PGTT=${f.pgtt >= 1 && f.pgtt <= 4 ? pgttShort(f.pgtt) : f.pgtt.toString()} DID=${f.did.toString()}`,
      f.pointer ? `${f.pointer.label} ${hex(f.pointer.value)}` : 'no table pointer',
      input.state === 'unvisited' || input.state === 'in-memory'
        ? 'not checked yet'
        : `${CELL_STYLES[input.state].glyph} ${CELL_STYLES[input.state].label.split(':')[0] ?? ''}`,
    ];
  const title = pasid === undefined ? 'PASID entry' : `PASID entry ${hex(pasid)}`;
  const texts = cardTexts('entry', input.w, title, lines);
  return part({
    key: 'part:entry',
    kind: 'entry',
    name: `${title}${f ? `: P ${f.present ? '1' : '0'}, PGTT ${PGTT_NAMES[f.pgtt] ?? f.pgtt.toString()}, DID ${f.did.toString()}` : ''}`,
    tone: !f ? 'idle' : f.present ? 'ok' : 'missing',
    lit: input.lit,
    x: input.x,
    y: input.y,
    w: input.w,
    h: Math.max(input.h ?? 0, cardHeight(Math.max(ENTRY_CARD_LINES, cardTextLines(texts)))),
    texts,
  });
}
