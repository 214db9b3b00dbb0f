// The host lane: what the host's iommufd holds for the active device at the cursor (host-side.md),
// under the chain. Each hwpt is a box of its own (a named group: "Host hwpt 3: nested S1, PASID
// 0x5, table 0x7000, attached"), each PASID QEMU caches is linked to the hwpt the host has it
// attached to, the call at the cursor lights the box it touches, and a failure says what it leaves
// behind. The lane is laid out here; hostReplay.ts says what it holds.

import {
  HostCallOp,
  PARENT_HWPT,
  type HostLaneState,
  type HostObjectView,
  type Variant,
} from '../../../model/core.ts';
import { hex } from '../../format.ts';
import type { ArrowModel, Point } from './arrows.ts';
import { CARD_PAD, TYPE, fitText, part, type PartModel, type PartTone } from './geometry.ts';

export const HOST_TITLE_H = 22;
/** One hwpt: a line of its own. */
export const HWPT_H = 20;
const ROW_STEP = HWPT_H + 3;
/** Inside the lane, right of the rows: where the links come down to their rows. */
const LINK_GUTTER = 18;
const ID_W = 64;
const PGTT_FIRST_STAGE = 1;

/** The height a lane needs for n rows, drawing at most maxRows of them. */
export function hostLaneHeight(n: number, maxRows = 4): number {
  return HOST_TITLE_H + Math.max(1, Math.min(maxRows, n)) * ROW_STEP + 4;
}

export interface CachedPasid {
  readonly pasid: number;
  /** The cached entry's PGTT (1 = first stage, 4 = pass-through). */
  readonly pgtt: number;
  /** Where the link leaves its cache row (the row's left edge, middle), absolute. */
  readonly from?: Point;
}

export interface HostLaneInput {
  readonly bdf: string;
  readonly state: HostLaneState;
  readonly variant: Variant;
  /** The PASIDs QEMU has cached and binds (series: the accel list; seed: PASID 0's address space). */
  readonly cached: readonly CachedPasid[];
  /** The cursor is on one of this device's host calls. */
  readonly lit: boolean;
  /** x where the links run down, between the entry card and the cache column. */
  readonly linkX: number;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** One box's facts before placement. */
export interface HostItem {
  readonly key: string;
  /** The accessible name ("Host hwpt 3: …" or "Host PASID 0x5: …"). */
  readonly name: string;
  readonly line1: string;
  readonly line2: string;
  readonly tone: PartTone;
  readonly lit: boolean;
  /** PASIDs linked to it (the host has them attached to this hwpt). */
  readonly pasids: readonly number[];
}

const UNBOUND =
  'entry cached, not bound: QEMU retries only when the guest entry changes; a PIOTLB for it goes to hwpt 0 and fails';
const BYPASS =
  "its cached entry is first-stage, but the host still has it on the GPA→HPA parent: DMA bypasses the guest's table";

function pasidList(pasids: readonly number[]): string {
  return pasids.length === 0
    ? 'no PASID'
    : `PASID${pasids.length === 1 ? '' : 's'} ${pasids.map((p) => hex(p)).join(', ')}`;
}

function nowText(state: HostLaneState, id: number, pasid: number): string | undefined {
  const now = state.now;
  if (!now) return undefined;
  switch (now.op) {
    case HostCallOp.Alloc:
      return now.ok && now.id === id ? '+ just allocated' : undefined;
    case HostCallOp.Attach:
      if (now.id !== id) return undefined;
      return now.ok
        ? `✓ PASID ${hex(now.pasid)} just attached`
        : `attach of PASID ${hex(now.pasid)} failed`;
    case HostCallOp.Detach:
      if (now.pasid !== pasid) return undefined;
      return now.ok ? `− PASID ${hex(now.pasid)} just detached` : 'detach failed: still bound';
    case HostCallOp.Invalidate:
      return now.id === id
        ? `⇢ PIOTLB ${now.ok ? 'forwarded' : 'failed'} @ ${hex(now.addr ?? 0n)}`
        : undefined;
    case HostCallOp.Faultq:
    case HostCallOp.Free:
      return undefined;
    default:
      return undefined;
  }
}

function objectItem(o: HostObjectView, input: HostLaneInput, freed: boolean): HostItem {
  const { state } = input;
  const onHost = [...state.attached].filter(([, h]) => h === o.id).map(([p]) => p);
  const attachedHere = onHost.length > 0;
  const table = o.pgtbl !== undefined ? `table ${hex(o.pgtbl)}` : 'table unknown';
  const fq = o.faultq ? `, fault queue ${o.faultq.toString()}` : '';
  let words: string;
  let short: string;
  let tone: PartTone = 'ok';
  if (freed) {
    words = 'freed';
    short = '− freed';
    tone = 'idle';
  } else if (o.fate === 'leaked') {
    words = attachedHere
      ? `leaked: QEMU dropped the entry, the host keeps ${pasidList(onHost)} bound to it`
      : 'leaked: QEMU keeps its id nowhere, nothing will free it';
    short = attachedHere ? '! leaked, still bound' : '! leaked';
    tone = 'fault';
  } else if (o.fate === 'superseded') {
    words = 'replaced: QEMU frees it next';
    short = '⇢ replaced';
    tone = 'idle';
  } else if (o.fate === 'new') {
    words = attachedHere ? 'attached' : 'allocated, not attached yet';
    short = attachedHere ? '✓ attached' : '+ allocated';
  } else if (attachedHere) {
    words = 'attached';
    short = '✓ attached';
  } else {
    words = 'recorded by QEMU, not attached';
    short = '∅ not attached';
    tone = 'missing';
  }
  const now = nowText(state, o.id, o.pasid);
  const failedNow = state.now && !state.now.ok && now !== undefined;
  if (failedNow) tone = 'fault';
  const lit =
    input.lit &&
    state.now !== undefined &&
    (state.now.id === o.id ||
      (state.now.op === HostCallOp.Detach && state.now.pasid === o.pasid && attachedHere));
  const kind = `nested S1${o.type === 'faultq' ? ' fault queue' : ''}`;
  return {
    key: `part:hwpt:${input.bdf}:${o.id.toString()}`,
    name: `Host hwpt ${o.id.toString()}: ${kind}, PASID ${hex(o.pasid)}, ${table}${fq}, ${words}${now ? ` (${now})` : ''}`,
    line1: `hwpt ${o.id.toString()}`,
    // The call at the cursor takes the page table's place (the name keeps both).
    line2: now
      ? `S1 · PASID ${hex(o.pasid)} · ${failedNow ? '× ' : ''}${now}`
      : `S1 · PASID ${hex(o.pasid)} · ${table} · ${short}`,
    tone,
    lit,
    pasids: freed ? [] : onHost,
  };
}

/** The boxes to draw: the nesting parent, the live first-stage hwpts, the unbound cached PASIDs. */
export function hostItems(input: HostLaneInput): HostItem[] {
  const { state } = input;
  const items: HostItem[] = [];
  const onParent = [...state.attached]
    .filter(([, h]) => h === PARENT_HWPT)
    .map(([p]) => p)
    .sort((a, b) => a - b);
  const cachedPgtt = new Map(input.cached.map((c) => [c.pasid, c.pgtt]));
  // A first-stage entry whose bind failed while the PASID sits on the parent (PASID 0 from plug).
  const bypass = onParent.filter(
    (p) => cachedPgtt.get(p) === PGTT_FIRST_STAGE && state.bindFailed.has(p),
  );
  const parentNow = nowText(state, PARENT_HWPT, -1);
  items.push({
    key: `part:hwpt:${input.bdf}:1`,
    name: `Host hwpt 1: nesting parent (GPA→HPA, attached by VFIO at plug), ${pasidList(onParent)} attached${bypass.length > 0 ? `; ${pasidList(bypass)}: ${BYPASS}` : ''}${parentNow ? ` (${parentNow})` : ''}`,
    line1: 'hwpt 1',
    line2: `parent GPA→HPA · ${
      bypass.length > 0
        ? `! bypass: ${pasidList(bypass)} first-stage`
        : parentNow
          ? parentNow
          : pasidList(onParent)
    }`,
    tone: bypass.length > 0 ? 'fault' : 'ok',
    lit:
      input.lit &&
      state.now !== undefined &&
      (state.now.id === PARENT_HWPT ||
        (state.now.op === HostCallOp.Detach && onParent.includes(state.now.pasid))),
    pasids: onParent,
  });
  const objs = state.objects.filter((o) => o.type === 'hwpt');
  const freed = state.freedNow?.type === 'hwpt' ? state.freedNow : undefined;
  const all = freed ? [...objs, freed].sort((a, b) => a.id - b.id) : objs;
  for (const o of all) items.push(objectItem(o, input, o === freed));
  // Fault queues are listed only when they leak (their hwpt's box names the live ones).
  for (const o of state.objects) {
    if (o.type !== 'faultq' || o.fate !== 'leaked') continue;
    items.push({
      key: `part:hwpt:${input.bdf}:${o.id.toString()}`,
      name: `Host fault queue ${o.id.toString()}: PASID ${hex(o.pasid)}, leaked (its read handler stays registered with the freed entry)`,
      line1: `fq ${o.id.toString()}`,
      line2: `fault queue · PASID ${hex(o.pasid)} · ! leaked`,
      tone: 'fault',
      lit: false,
      pasids: [],
    });
  }
  // A cached PASID the host has nothing for, after a failed bind (series: the accel entry stays).
  if (input.variant !== 'seed') {
    for (const c of input.cached) {
      if (!state.bindFailed.has(c.pasid) || state.attached.has(c.pasid)) continue;
      const failing = state.now && !state.now.ok && state.now.pasid === c.pasid;
      const piotlb = failing && state.now?.op === HostCallOp.Invalidate;
      items.push({
        key: `part:host-unbound:${input.bdf}:${hex(c.pasid)}`,
        name: `Host PASID ${hex(c.pasid)}: no hwpt, ${UNBOUND}${piotlb ? ' (a PIOTLB invalidation just went to hwpt 0 and failed)' : ''}`,
        line1: 'no hwpt',
        line2: piotlb
          ? `PASID ${hex(c.pasid)} · × PIOTLB sent to hwpt 0: fails, nothing flushed`
          : `PASID ${hex(c.pasid)} · × cached, not bound: retried only when the guest entry changes`,
        tone: 'fault',
        lit: input.lit && failing === true,
        pasids: [c.pasid],
      });
    }
  }
  return items;
}

/** The lane's parts (the lane, then one per hwpt) and the links from the cache rows to them. */
export function layoutHostLane(input: HostLaneInput): {
  parts: PartModel[];
  arrows: ArrowModel[];
} {
  const items = hostItems(input);
  const inner = input.w - 2 * CARD_PAD;
  const rowW = inner - LINK_GUTTER;
  const room = Math.max(1, Math.floor((input.h - HOST_TITLE_H - 4) / ROW_STEP));
  const shown = items.length > room ? items.slice(0, room - 1) : items;
  const hidden = items.length - shown.length;
  const hwpts = items.filter((i) => i.key.startsWith('part:hwpt:')).length;
  const lane = part({
    key: 'part:host',
    kind: 'host',
    name: `Host iommufd ${input.bdf}: ${hwpts.toString()} object${hwpts === 1 ? '' : 's'} (${items
      .map((i) => i.line1)
      .join(
        '; ',
      )})${input.state.truncated ? '; a step made more host calls than the trace keeps, so some may be missing' : ''}`,
    tone: 'ok',
    lit: input.lit,
    x: input.x,
    y: input.y,
    w: input.w,
    h: input.h,
    texts: [
      {
        key: 'host:title',
        x: CARD_PAD,
        y: CARD_PAD + TYPE.title - 2,
        text: fitText(
          `Host iommufd ${input.bdf}${input.state.truncated ? ' (partial)' : ''}`,
          inner / 2,
          TYPE.title,
          true,
        ),
        role: 'title',
        size: TYPE.title,
        anchor: 'start',
      },
      ...(hidden > 0
        ? [
            {
              key: 'host:more',
              x: input.w - CARD_PAD,
              y: CARD_PAD + TYPE.title - 2,
              text: fitText(`${hidden.toString()} more not drawn`, inner / 2 - 8, TYPE.note),
              role: 'note' as const,
              size: TYPE.note,
              anchor: 'end' as const,
            },
          ]
        : []),
    ],
  });
  const parts: PartModel[] = [lane];
  const where = new Map<number, PartModel>();
  shown.forEach((item, i) => {
    const p = part({
      key: item.key,
      kind: 'hwpt',
      name: item.name,
      tone: item.tone,
      lit: item.lit,
      x: input.x + CARD_PAD,
      y: input.y + HOST_TITLE_H + i * ROW_STEP,
      w: rowW,
      h: HWPT_H,
      texts: [
        {
          key: `${item.key}:l1`,
          x: CARD_PAD,
          y: HWPT_H / 2 + 4.5,
          text: fitText(item.line1, ID_W - CARD_PAD, TYPE.body, true),
          role: 'title',
          size: TYPE.body,
          anchor: 'start',
        },
        {
          key: `${item.key}:l2`,
          x: ID_W + CARD_PAD,
          y: HWPT_H / 2 + 4.5,
          text: fitText(item.line2, rowW - ID_W - 2 * CARD_PAD, TYPE.body),
          role: 'body',
          size: TYPE.body,
          anchor: 'start',
        },
      ],
    });
    parts.push(p);
    for (const pasid of item.pasids) where.set(pasid, p);
  });
  // Links: from each cached PASID's row left into the gap, down above the lane, right to the
  // lane's gutter, down to its hwpt's line and into its right end.
  const arrows: ArrowModel[] = [];
  const linked = input.cached.filter((c) => c.from && where.has(c.pasid));
  const now = input.state.now;
  linked.forEach((c, i) => {
    const row = where.get(c.pasid);
    const from = c.from;
    if (!row || !from) return;
    const k = Math.min(i, 3);
    const gx = input.linkX - 4 * k;
    const gy = input.y - 4 - 3 * k;
    const rx = input.x + input.w - CARD_PAD - 4 - 4 * k;
    const ry = row.y + row.h / 2;
    const hwpt = row.key.startsWith('part:hwpt:') ? `hwpt ${row.key.split(':').at(-1) ?? ''}` : '';
    arrows.push({
      key: `link:host:${input.bdf}:${hex(c.pasid)}`,
      points: [
        from,
        { x: gx, y: from.y },
        { x: gx, y: gy },
        { x: rx, y: gy },
        { x: rx, y: ry },
        { x: row.x + row.w, y: ry },
      ],
      title: hwpt
        ? `cached PASID ${hex(c.pasid)} → ${hwpt} on the host${now?.op === HostCallOp.Invalidate && now.pasid === c.pasid ? ': PIOTLB invalidation forwarded' : ''}`
        : `cached PASID ${hex(c.pasid)}: not bound on the host`,
      lit: input.lit && now !== undefined && now.pasid === c.pasid,
    });
  });
  return { parts, arrows };
}
