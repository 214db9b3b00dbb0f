// The head of the chain: the root entry (indexed by the device's bus) and the context entry
// (indexed by devfn) with what QEMU takes from it for a PASID walk: PDTS and the directory pointer.

import type { DeviceConfig } from '../../../model/core.ts';
import { count, hex } from '../../format.ts';
import type { ContextView } from '../guestStructures.ts';
import { cardHeight, cardTextLines, cardTexts, part, type PartModel } from './geometry.ts';

export interface CardPlace {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  /** Minimum height (cards of a row share one height). */
  readonly h?: number;
}

export const ROOT_CARD_LINES = 2;
export const CONTEXT_CARD_LINES = 3;

export function layoutRootCard(
  device: DeviceConfig,
  context: ContextView | undefined,
  lit: boolean,
  at: CardPlace,
): PartModel {
  const lines = !context
    ? ['(guest memory not loaded)', '']
    : [
        `bus ${device.bus.toString()} @ ${hex(context.rootEntryAddr)}`,
        context.rootPresent
          ? `P=1 → ctx ${context.contextAddr !== undefined ? hex(context.contextAddr & ~0xfffn) : ''}`
          : 'P=0: no context table',
      ];
  const texts = cardTexts('root', at.w, 'Root entry', lines);
  const h = Math.max(at.h ?? 0, cardHeight(Math.max(ROOT_CARD_LINES, cardTextLines(texts))));
  return part({
    key: 'part:root',
    kind: 'root',
    name: `Root entry for bus ${device.bus.toString()}${context && !context.rootPresent ? ', not present' : ''}`,
    tone: !context ? 'idle' : context.rootPresent ? 'ok' : 'missing',
    lit,
    x: at.x,
    y: at.y,
    w: at.w,
    h,
    texts,
  });
}

export function layoutContextCard(
  device: DeviceConfig,
  context: ContextView | undefined,
  lit: boolean,
  fault: number | undefined,
  at: CardPlace,
): PartModel {
  const devfn = `devfn ${hex(device.devfn)}`;
  let lines: string[];
  let tone: PartModel['tone'] = 'ok';
  if (!context) {
    lines = [devfn, '(guest memory not loaded)', ''];
    tone = 'idle';
  } else if (!context.rootPresent || !context.present) {
    lines = [devfn, 'not present', 'no PASID directory'];
    tone = 'missing';
  } else {
    lines = [
      `${devfn} @ ${hex(context.contextAddr ?? 0n)}`,
      `PDTS ${context.pdts.toString()}: ${count(context.dirEntries)} entries`,
      `dir @ ${hex(context.dirBase)}`,
    ];
  }
  if (fault !== undefined) {
    lines[2] = `lookup fault ${hex(fault)}: skipped`;
    tone = 'fault';
  }
  const texts = cardTexts('context', at.w, 'Context entry', lines);
  const h = Math.max(at.h ?? 0, cardHeight(Math.max(CONTEXT_CARD_LINES, cardTextLines(texts))));
  return part({
    key: 'part:context',
    kind: 'context',
    name: `Context entry for ${device.bdf}: ${lines.slice(1).join(', ')}`,
    tone,
    lit,
    x: at.x,
    y: at.y,
    w: at.w,
    h,
    texts,
  });
}
