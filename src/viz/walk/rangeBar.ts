// The PASID range an accel sync walks, drawn over PASID space (log2 scale, 2^0..2^20) with every
// limit that QEMU applies marked: 1 << pasid-bits (DSI / global), the single PASID of a PASID-SI,
// the device's 1 << max_pasid_log2 and the context entry's 2^(PDTS+7) × 64. The smallest limit
// that applies wins and is highlighted; the walked range is the filled part of the bar.

import { RangeReason } from '../../model/core.ts';
import type { RangeClampFrame, RangeInitFrame } from '../trace/eventContext.ts';
import { count, hex, powerOfTwo } from '../format.ts';

export type RangeLimitKind = 'pasid-bits' | 'pasid-si' | 'device' | 'pdts';

export interface RangeLimit {
  readonly key: string;
  readonly kind: RangeLimitKind;
  /** Short label drawn at the marker. */
  readonly label: string;
  /** One line: where the limit comes from. */
  readonly detail: string;
  /** Exclusive end PASID this limit allows. */
  readonly value: number;
  readonly x: number;
  /** Row of the label (0 = nearest the bar), so that labels at close x do not overlap. */
  readonly row: number;
  /** Labels near the right edge grow leftwards. */
  readonly anchor: 'start' | 'end';
  /** False for a limit that QEMU does not apply here (pasid-bits under a PASID-SI). */
  readonly applies: boolean;
  readonly winner: boolean;
}

export interface RangeBarModel {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly barY: number;
  readonly barHeight: number;
  readonly ticks: readonly { readonly key: string; readonly x: number; readonly label: string }[];
  readonly limits: readonly RangeLimit[];
  /** The walked range [start, end); absent before the device's limits are known. */
  readonly walked?: {
    readonly x0: number;
    readonly x1: number;
    readonly start: number;
    readonly end: number;
  };
  readonly caption: string;
}

const MAX_LOG = 20;
/** Room a limit label takes (px, at 10px type). */
const LABEL_W = 150;
/** Caption line, then tick labels, then the bar. */
const BAR_OFFSET = 30;

/** x of PASID value v (v >= 1) on the log2 scale; 0 sits at the left edge. */
export function rangeScale(x: number, width: number): (v: number) => number {
  return (v) => x + (Math.min(MAX_LOG, Math.log2(Math.max(1, v))) / MAX_LOG) * width;
}

export function pdtsLimit(pdts: number): number {
  return 2 ** (pdts + 7) * 64;
}

export function layoutRangeBar(input: {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly init?: RangeInitFrame;
  readonly clamp?: RangeClampFrame;
  readonly deviceLabel?: string;
}): RangeBarModel | undefined {
  const { init, clamp, x, y, width } = input;
  if (!init) return undefined;
  const sx = rangeScale(x, width);
  const psi = init.reason === RangeReason.PasidSelective;
  const raw: Omit<RangeLimit, 'x' | 'row' | 'winner' | 'anchor'>[] = [];
  const bitsValue = 2 ** init.pasidBits;
  raw.push({
    key: 'limit:pasid-bits',
    kind: 'pasid-bits',
    label: `pasid-bits ${init.pasidBits.toString()}`,
    detail: psi
      ? `1 << pasid-bits = ${powerOfTwo(bitsValue)}: not applied to a PASID-selective invalidation`
      : `1 << pasid-bits = ${powerOfTwo(bitsValue)} (QEMU property pasid-bits)`,
    value: bitsValue,
    applies: !psi,
  });
  if (psi) {
    raw.push({
      key: 'limit:pasid-si',
      kind: 'pasid-si',
      label: `PASID ${hex(init.start)} only`,
      detail: `PASID-selective: [${hex(init.start)}, ${hex(init.start + 1)})`,
      value: init.start + 1,
      applies: true,
    });
  }
  if (clamp) {
    const dev = 2 ** clamp.maxPasidLog2;
    raw.push({
      key: 'limit:device',
      kind: 'device',
      label: `device ${powerOfTwo(dev)}`,
      detail: `1 << max_pasid_log2 = 1 << ${clamp.maxPasidLog2.toString()} = ${count(dev)} (host IOMMU cap)`,
      value: dev,
      applies: true,
    });
    const pd = pdtsLimit(clamp.pdts);
    raw.push({
      key: 'limit:pdts',
      kind: 'pdts',
      label: `PDTS ${clamp.pdts.toString()}`,
      detail: `2^(PDTS+7) × 64 = 2^${(clamp.pdts + 7).toString()} × 64 = ${count(pd)} (context entry)`,
      value: pd,
      applies: true,
    });
  }
  const smallest = Math.min(...raw.filter((l) => l.applies).map((l) => l.value));
  // Label rows: left to right, a label moves up a row when it would collide with the previous one.
  const sorted = [...raw].sort((p, q) => p.value - q.value);
  const rowEnds: number[] = [];
  const limits: RangeLimit[] = sorted.map((l) => {
    const lx = sx(l.value);
    const anchor = lx > x + width - LABEL_W ? 'end' : 'start';
    const left = anchor === 'end' ? lx - LABEL_W : lx;
    let row = rowEnds.findIndex((end) => left >= end);
    if (row < 0) {
      row = rowEnds.length;
      rowEnds.push(0);
    }
    rowEnds[row] = left + LABEL_W;
    return { ...l, x: lx, row, anchor, winner: l.applies && l.value === smallest };
  });
  const ticks = [];
  for (let b = 0; b <= MAX_LOG; b += 4) {
    ticks.push({ key: `tick:${b.toString()}`, x: sx(2 ** b), label: `2^${b.toString()}` });
  }
  const rows = Math.max(1, rowEnds.length);
  const barY = y + BAR_OFFSET;
  const barHeight = 12;
  const model: {
    -readonly [K in keyof RangeBarModel]: RangeBarModel[K];
  } = {
    x,
    y,
    width,
    height: BAR_OFFSET + barHeight + 4 + rows * 13 + 4,
    barY,
    barHeight,
    ticks,
    limits,
    caption: '',
  };
  const who = input.deviceLabel ? ` on ${input.deviceLabel}` : '';
  if (clamp) {
    const start = clamp.start;
    const end = clamp.end;
    const x0 = start === 0 ? x : sx(start);
    model.walked = { start, end, x0, x1: Math.max(x0 + 2, sx(end)) };
    const winners = limits.filter((l) => l.winner).map((l) => l.label);
    model.caption =
      end <= start
        ? `Nothing walked${who}: the range [${hex(start)}, ${hex(end)}) is empty (${winners.join(', ')})`
        : `Walk${who}: PASIDs [${hex(start)}, ${hex(end)}) = ${count(end - start)} — limited by ${winners.join(' = ')}`;
  } else {
    model.caption = psi
      ? `PASID-selective: only PASID ${hex(init.start)}; each device may clamp it further`
      : `Range [0, ${powerOfTwo(bitsValue)}) from pasid-bits ${init.pasidBits.toString()}; each device clamps it further`;
  }
  return model;
}
