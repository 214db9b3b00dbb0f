// The walk view's layout: (trace, cursor, scenario, guest memory, box) → a view model of positioned,
// keyed parts that render.ts joins into the SVG. Pure: what is shown at event N depends only on the
// trace and N (and the scenario's memory at N's step), so stepping back is exact.
//
// The device the cursor is on is drawn as QEMU's chain, in two rows that read left to right:
//   root entry → context entry → PASID directory (overview + magnified window)
//   PASID table (64 slots) → PASID entry → accel PASID cache (head first) / emulated PASID cache
// with the callout (the outcome in words) under them. The other devices collapse to one line each.
// Each part is laid out by its own piece in ./parts; this file only places them and wires arrows.

import {
  LeafOutcome,
  PGTT_NAMES,
  Structure,
  TraceKind,
  EmuSkipReason,
  assertUnreachable,
  hostStateAt,
  readTraceEvent,
  type DeviceConfig,
  type Scenario,
} from '../../model/core.ts';
import {
  eventContext,
  focusDevice,
  lastClampForDevice,
  walkSegmentOf,
  type EventContext,
} from '../trace/eventContext.ts';
import type { TraceIndex } from '../trace/traceIndex.ts';
import { count, hex } from '../format.ts';
import {
  accelChangesAt,
  accelListAt,
  emuEntryAt,
  entryWordsAt,
  type MemoryAtStep,
  type GuestMemoryView,
} from './cacheReplay.ts';
import { CELL_STYLES, dirOutcomeState, leafOutcomeState, type CellState } from './cellStates.ts';
import {
  leafEntryAddr,
  leafTableBase,
  presentDirs,
  readContext,
  readLeaf,
  type ContextView,
} from './guestStructures.ts';
import { layoutRangeBar } from './rangeBar.ts';
import {
  dirOutcomeAt,
  dirWalkOf,
  leafSlotsAt,
  walkTargetPasid,
  type DirWalk,
} from './walkState.ts';
import { layoutArrow, type ArrowModel } from './parts/arrows.ts';
import {
  CALLOUT_H,
  calloutFor,
  calloutHeight,
  layoutCallout,
  type CalloutFacts,
  type CalloutModel,
} from './parts/callout.ts';
import { layoutContextCard, layoutRootCard } from './parts/chainCards.ts';
import {
  LIST_TITLE_H,
  ROW_H,
  layoutCacheList,
  listWidthFor,
  type CacheRowFacts,
} from './parts/cacheList.ts';
import { LENS_HEIGHT, layoutDirectoryLens, rangeState } from './parts/directoryLens.ts';
import { ENTRY_CARD_LINES, entryFields, layoutEntryCard, pgttShort } from './parts/entryCard.ts';
import {
  LINE,
  TYPE,
  cardHeight,
  fitText,
  textWidth,
  wrapText,
  type Box,
  type PartKind,
  type PartModel,
  type TextItem,
} from './parts/geometry.ts';
import { litPartsOf } from './parts/litParts.ts';
import {
  hostItems,
  hostLaneHeight,
  layoutHostLane,
  type CachedPasid,
  type HostLaneInput,
} from './parts/hostLane.ts';
import { layoutTableGrid, tableGridSize } from './parts/tableGrid.ts';

export type { Box } from './parts/geometry.ts';

export interface WalkLayoutInput {
  readonly index: TraceIndex;
  readonly cursor: number;
  readonly scenario: Scenario;
  /** Guest memory at a scenario step; without it the view shows only what the trace says. */
  readonly memoryAt?: MemoryAtStep;
  /** The drawing's size in its own units (the host scales it to the box). */
  readonly width: number;
  readonly height?: number;
  /** Draw the callout (the outcome in words) under the chain; presentation mode leaves it to the
   * explanation beside the drawing, which says the same in large type, to keep the chain large. */
  readonly callout?: boolean;
}

export interface LaneModel extends Box {
  readonly key: string;
  readonly bdf: string;
  readonly active: boolean;
  readonly texts: readonly TextItem[];
  /** Accessible name of the lane (a collapsed lane is a button that makes its device active). */
  readonly name: string;
}

export interface WalkViewModel {
  readonly width: number;
  readonly height: number;
  readonly cursor: number;
  readonly eventCount: number;
  readonly step: number;
  readonly lanes: readonly LaneModel[];
  readonly parts: readonly PartModel[];
  readonly arrows: readonly ArrowModel[];
  readonly callout?: CalloutModel;
  /** The active device's lane (for scrolling it into view). */
  readonly activeLane?: Box;
}

const PAD = 8;
const LINE_H = 24;
const MIN_CHIP_W = 230;
const CHIP_GAP = 6;
const HEADER_H = 24;
const GAP = 26;
const ROW_GAP = 24;
/** Between row 2 and the host lane: room for the links that run above the lane. */
const HOST_GAP = 16;
const ROOT_W = 140;
const CONTEXT_W = 176;
const ENTRY_W = 168;
const MIN_ENTRY_W = 140;
const MIN_CACHE_W = 150;
/** Between the table, the entry card and the caches (their arrows carry no label). */
const ROW2_GAP = 22;
const MAX_SLOT_SPACE = 8 * 28;
/** Narrowest drawing the layout is made for; a narrower box is drawn at this width and scrolls. */
export const MIN_DRAWING_WIDTH = 500;
/** The height the drawing needs at its smallest, one device. */
/** The cache column at its smallest: the accel list with one row, the emulated list with one. */
const MIN_CACHES_H = 2 * (LIST_TITLE_H + ROW_H + 4) + 8;
/** Row 2 (table, entry, caches) at its smallest. */
const MIN_ROW2_H = Math.max(cardHeight(ENTRY_CARD_LINES), MIN_CACHES_H);
export const MIN_DRAWING_HEIGHT =
  PAD + HEADER_H + LENS_HEIGHT + ROW_GAP + MIN_ROW2_H + 8 + CALLOUT_H + PAD;

interface ChainFacts {
  readonly device: DeviceConfig;
  /** Index into trace.devices, -1 when the device never appears in the trace. */
  readonly d: number;
  readonly context?: ContextView;
  readonly mem?: GuestMemoryView;
  readonly walk?: DirWalk;
}

function chainFacts(
  input: WalkLayoutInput,
  ctx: EventContext,
  d: number,
  device: DeviceConfig,
): ChainFacts {
  const { index, cursor, scenario, memoryAt } = input;
  const mem = memoryAt?.(ctx.step);
  const context = mem ? readContext(scenario.iommu, device, mem) : undefined;
  const clampE = d < 0 ? undefined : lastClampForDevice(index, d, ctx.stepStart, cursor);
  const walk =
    clampE === undefined
      ? undefined
      : dirWalkOf(index.trace, walkSegmentOf(index, clampE, ctx.stepEnd));
  return {
    device,
    d,
    ...(context ? { context } : {}),
    ...(mem ? { mem } : {}),
    ...(walk ? { walk } : {}),
  };
}

/** The PASID an event is about, when it is about one of this device's PASIDs. */
function eventPasid(index: TraceIndex, e: number, d: number): number | undefined {
  if (d < 0) return undefined;
  const ev = readTraceEvent(index.trace, e);
  switch (ev.kind) {
    case 'GuestRead':
    case 'LookupResult':
    case 'EmuSkip':
    case 'EmuCreated':
    case 'EmuRemoved':
    case 'EmuUnchanged':
    case 'EmuDiffers':
    case 'AccelRemovalCheck':
    case 'AccelRemoved':
    case 'HostCall':
      return ev.device === d ? ev.pasid : undefined;
    case 'LeafChecked':
    case 'DirChecked':
      return ev.device === d ? ev.firstPasid : undefined;
    case 'StepWrite':
    case 'StepClearIqe':
    case 'DescFetched':
    case 'DescRejected':
    case 'DescBlocked':
    case 'DescNoEffect':
    case 'PcInfoBuilt':
    case 'WaitStatusWrite':
    case 'ContextCacheInv':
    case 'ReplayBegin':
    case 'SyncBegin':
    case 'SyncGated':
    case 'AccelDeviceBegin':
    case 'AccelDeviceSkipped':
    case 'AccelBypass':
    case 'RangeInit':
    case 'RangeClamp':
      return undefined;
    default:
      return assertUnreachable(ev, 'trace event');
  }
}

/** The directory entry to magnify and the PASID to show: the event's, else where the walk is. */
function chainFocus(
  input: WalkLayoutInput,
  f: ChainFacts,
  memPresent: Uint8Array | undefined,
): { dir: number; pasid: number | undefined } {
  const { index, cursor } = input;
  const { trace } = index;
  const own = eventPasid(index, cursor, f.d);
  const seg = f.walk?.segment;
  const k = trace.kind[cursor];
  // An event that reads or checks a PASID entry, or changes a cache, is about its own PASID;
  // anything else in a walk (root, context, directory reads and checks) about the walk's target.
  const readsAbove =
    k === TraceKind.DirChecked ||
    (k === TraceKind.GuestRead && trace.a[cursor] !== Structure.PasidEntry);
  if (own !== undefined && !readsAbove) return { dir: own >>> 6, pasid: own };
  const inWalk = seg && cursor >= seg.start && cursor < seg.end;
  const target = inWalk ? walkTargetPasid(trace, seg, cursor) : undefined;
  if (own !== undefined) {
    const dir = own >>> 6;
    if (target === undefined) return { dir, pasid: k === TraceKind.DirChecked ? undefined : own };
    return { dir, pasid: target >>> 6 === dir ? target : undefined };
  }
  if (target !== undefined) return { dir: target >>> 6, pasid: target };
  if (seg && cursor >= seg.start) {
    const e = Math.min(cursor, seg.end - 1);
    const p = trace.pasid[e] ?? 0;
    return { dir: p >>> 6, pasid: undefined };
  }
  const first = memPresent ? memPresent.indexOf(1) : -1;
  return { dir: Math.max(0, first), pasid: undefined };
}

function currentSpan(
  index: TraceIndex,
  e: number,
  d: number,
): { dirs?: { from: number; n: number }; pasids?: { from: number; to: number } } {
  const p = eventPasid(index, e, d);
  if (p === undefined) return {};
  const { trace } = index;
  const n = Math.max(1, trace.count[e] ?? 1);
  const k = trace.kind[e];
  if (k === TraceKind.DirChecked) return { dirs: { from: p >>> 6, n } };
  if (k === TraceKind.GuestRead && trace.a[e] !== Structure.PasidEntry) {
    return trace.a[e] === Structure.PasidDirEntry ? { dirs: { from: p >>> 6, n: 1 } } : {};
  }
  const to = k === TraceKind.LeafChecked ? p + n : p + 1;
  return { dirs: { from: p >>> 6, n: 1 }, pasids: { from: p, to } };
}

function laneTitle(device: DeviceConfig): string {
  return `${device.bdf} · ${device.backend}${device.name ? ` · ${device.name}` : ''}`;
}

/**
 * A lane's header: its title on the left, cut (if at all) only in the device's free-text name, so
 * the BDF and the backend always show; on the right the first of the summaries (longest first)
 * that fits beside it. A summary that fits nowhere on the line (the range caption of the active
 * lane) wraps onto lines under the title when `wrap` is set, else is left out.
 */
function headerTexts(
  key: string,
  w: number,
  device: DeviceConfig,
  summaries: readonly string[],
  opts: { readonly bold: boolean; readonly prefix?: string; readonly wrap?: boolean },
): { texts: TextItem[]; h: number } {
  const { bold } = opts;
  const size = TYPE.title;
  const fixed = `${opts.prefix ?? ''}${device.bdf} · ${device.backend}`;
  const full = `${fixed}${device.name ? ` · ${device.name}` : ''}`;
  const room = w - 20;
  const besideTitle = (s: string): boolean =>
    textWidth(fixed, size, bold) + 16 + textWidth(s, TYPE.note) <= room;
  const right = summaries.find((s) => s && besideTitle(s));
  const leftW = room - (right ? textWidth(right, TYPE.note) + 16 : 0);
  let left = full;
  if (textWidth(full, size, bold) > leftW) {
    const nameW = leftW - textWidth(`${fixed} · `, size, bold);
    left =
      device.name && nameW >= 3 * size
        ? `${fixed} · ${fitText(device.name, nameW, size, bold)}`
        : fitText(fixed, leftW, size, bold);
  }
  const texts: TextItem[] = [
    { key: `${key}:title`, x: 10, y: 16, text: left, role: 'title', size, anchor: 'start' },
  ];
  if (right) {
    texts.push({
      key: `${key}:summary`,
      x: w - 10,
      y: 16,
      text: right,
      role: 'note',
      size: TYPE.note,
      anchor: 'end',
    });
  }
  const caption = summaries[0];
  if (!right && opts.wrap && caption) {
    wrapText(caption, room, TYPE.note).forEach((text, i) => {
      texts.push({
        key: `${key}:summary${i > 0 ? i.toString() : ''}`,
        x: 10,
        y: 16 + (i + 1) * LINE,
        text,
        role: 'note',
        size: TYPE.note,
        anchor: 'start',
      });
    });
  }
  return { texts, h: HEADER_H + (texts.length - 1 - (right ? 1 : 0)) * LINE };
}

export function layoutWalk(input: WalkLayoutInput): WalkViewModel {
  const { index, scenario } = input;
  const { trace } = index;
  const width = Math.max(MIN_DRAWING_WIDTH, input.width);
  const height = Math.max(MIN_DRAWING_HEIGHT, input.height ?? 0);
  const cursor = Math.max(0, Math.min(input.cursor, trace.length - 1));
  const base = { width, height, cursor, eventCount: trace.length, step: 0 };
  if (trace.length === 0) return { ...base, height: 2 * PAD, lanes: [], parts: [], arrows: [] };
  const ctx = eventContext(index, cursor);
  const evDevice = focusDevice(trace, ctx);
  const devIndexByBdf = new Map(trace.devices.map((bdf, i) => [bdf, i]));
  const devices = scenario.devices;
  const activeBdf =
    (evDevice >= 0 ? trace.devices[evDevice] : undefined) ??
    devices.find((dv) => dv.backend === 'iommufd')?.bdf ??
    devices[0]?.bdf;
  const W = width - 2 * PAD;

  const lanes: LaneModel[] = [];
  let parts: PartModel[] = [];
  let arrows: ArrowModel[] = [];
  let callout: CalloutModel | undefined;
  let activeLane: Box | undefined;
  const activeAt = Math.max(
    0,
    devices.findIndex((dv) => dv.bdf === activeBdf),
  );
  const summariesOf = (device: DeviceConfig, d: number): string[] => {
    if (device.backend !== 'iommufd') return ['no accel list', 'no accel'];
    const n = d >= 0 ? accelListAt(index, d, cursor, 0).length : 0;
    return [`accel list: ${count(n)} ${n === 1 ? 'entry' : 'entries'}`, `accel: ${count(n)}`];
  };
  // The other devices collapse to one line each, several to a row when the drawing is wide:
  // those before the active device above it, those after it below.
  const perRow = Math.max(1, Math.floor((W + CHIP_GAP) / (MIN_CHIP_W + CHIP_GAP)));
  const collapsedRows = (n: number): number => Math.ceil(n / perRow);
  const placeCollapsed = (list: readonly DeviceConfig[], top: number): number => {
    const chipW = (W - (perRow - 1) * CHIP_GAP) / perRow;
    list.forEach((device, i) => {
      const d = devIndexByBdf.get(device.bdf) ?? -1;
      const summaries = summariesOf(device, d);
      const summary = summaries[0] ?? '';
      lanes.push({
        key: `lane:${device.bdf}`,
        bdf: device.bdf,
        active: false,
        x: PAD + (i % perRow) * (chipW + CHIP_GAP),
        y: top + Math.floor(i / perRow) * LINE_H,
        w: chipW,
        h: LINE_H - 4,
        name: `${laneTitle(device)}, ${summary}: show this device`,
        texts: headerTexts(`lane:${device.bdf}`, chipW, device, summaries, {
          bold: false,
          prefix: '▸ ',
        }).texts,
      });
    });
    return top + collapsedRows(list.length) * LINE_H;
  };
  const before = devices.slice(0, activeAt);
  const after = devices.slice(activeAt + 1);
  let y = placeCollapsed(before, PAD);
  const device = devices[activeAt];
  if (device) {
    const d = devIndexByBdf.get(device.bdf) ?? -1;
    const f = chainFacts(input, ctx, d, device);
    const bodyBottom = height - PAD - collapsedRows(after.length) * LINE_H;
    const range = rangeCaption(ctx, evDevice === d ? device.bdf : undefined);
    const header = headerTexts(
      `lane:${device.bdf}`,
      W,
      device,
      range ? [range] : summariesOf(device, d),
      { bold: true, wrap: true },
    );
    const chain = layoutChain(input, ctx, f, { x: PAD, y: y + header.h, w: W, bottom: bodyBottom });
    parts = chain.parts;
    arrows = chain.arrows;
    callout = chain.callout;
    const laneH = chain.bottom - y + 4;
    lanes.push({
      key: `lane:${device.bdf}`,
      bdf: device.bdf,
      active: true,
      x: PAD,
      y,
      w: W,
      h: laneH,
      name: `${laneTitle(device)}: the chain QEMU walks`,
      texts: header.texts,
    });
    activeLane = { x: PAD, y, w: W, h: laneH };
    y += laneH + 4;
  }
  y = placeCollapsed(after, y);
  return {
    ...base,
    height: Math.max(height, y + PAD),
    step: ctx.step,
    lanes,
    parts,
    arrows,
    ...(callout ? { callout } : {}),
    ...(activeLane ? { activeLane } : {}),
  };
}

function rangeCaption(ctx: EventContext, bdf: string | undefined): string {
  if (!ctx.rangeInit) return '';
  const bar = layoutRangeBar({
    x: 0,
    y: 0,
    width: 100,
    init: ctx.rangeInit,
    ...(ctx.rangeClamp && bdf ? { clamp: ctx.rangeClamp } : {}),
  });
  return bar?.caption ?? '';
}

interface ChainPlace {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  /** Lowest y the chain may use (it takes more only when it must). */
  readonly bottom: number;
}

function layoutChain(
  input: WalkLayoutInput,
  ctx: EventContext,
  f: ChainFacts,
  at: ChainPlace,
): { parts: PartModel[]; arrows: ArrowModel[]; callout?: CalloutModel; bottom: number } {
  const { index, cursor } = input;
  const { trace } = index;
  const { device, d, context, mem, walk } = f;
  const onThis = (trace.device[cursor] ?? -1) === d && d >= 0;
  const lit: ReadonlySet<PartKind> =
    onThis || (ctx.accelDevice?.device === d && d >= 0)
      ? litPartsOf(trace, cursor)
      : new Set<PartKind>();
  const entries = context?.present
    ? context.dirEntries
    : Math.max(1, walk ? walk.firstDir + walk.dirCount : 1);
  const memPresent =
    mem && context?.present ? presentDirs(mem, context.dirBase, context.dirEntries) : undefined;
  const focus = chainFocus(input, f, memPresent);
  const span = currentSpan(index, cursor, d);
  const fault =
    onThis && trace.kind[cursor] === TraceKind.AccelDeviceSkipped
      ? (trace.a[cursor] ?? 0)
      : undefined;

  // Row 1: root → context → directory.
  const row1Y = at.y;
  const lensX = at.x + ROOT_W + GAP + CONTEXT_W + GAP;
  // The two cards grow with their wrapped text; they share the taller one's height.
  const cardsOf = (h?: number): [PartModel, PartModel] => [
    layoutRootCard(device, context, lit.has('root'), {
      x: at.x,
      y: row1Y,
      w: ROOT_W,
      ...(h ? { h } : {}),
    }),
    layoutContextCard(device, context, lit.has('context'), fault, {
      x: at.x + ROOT_W + GAP,
      y: row1Y,
      w: CONTEXT_W,
      ...(h ? { h } : {}),
    }),
  ];
  let [root, ctxCard] = cardsOf();
  if (root.h !== ctxCard.h) [root, ctxCard] = cardsOf(Math.max(root.h, ctxCard.h));
  const dirState = (dir: number): CellState =>
    dirOutcomeState(walk ? dirOutcomeAt(walk, dir, cursor) : 0, (memPresent?.[dir] ?? 0) === 1);
  const lens = layoutDirectoryLens({
    bdf: device.bdf,
    entries,
    ...(context?.present ? { dirBase: context.dirBase } : {}),
    stateOf: dirState,
    bucketState: walkBuckets(walk, memPresent, cursor, dirState),
    focus: span.dirs?.from ?? focus.dir,
    span: span.dirs?.n ?? 0,
    lit: lit.has('directory'),
    x: lensX,
    y: row1Y,
    w: at.x + at.w - lensX,
  });
  const row1H = Math.max(root.h, ctxCard.h, lens.h);

  // Row 3 (iommufd devices): the host lane. Its height is known before row 2 takes the rest.
  const hostState =
    d >= 0 && device.backend === 'iommufd'
      ? hostStateAt(trace, d, cursor, input.scenario.variant)
      : undefined;
  const hostCached = hostState ? cachedForHost(input, f) : [];
  const hostFacts: Omit<HostLaneInput, 'x' | 'y' | 'w' | 'h' | 'linkX'> | undefined = hostState
    ? {
        bdf: device.bdf,
        state: hostState,
        variant: input.scenario.variant,
        cached: hostCached,
        lit: lit.has('host'),
      }
    : undefined;
  const hostH = hostFacts
    ? hostLaneHeight(hostItems({ ...hostFacts, x: 0, y: 0, w: at.w, h: 0, linkX: 0 }).length)
    : 0;

  // The callout's words, known before the rows: it takes the lines it needs at the bottom.
  const facts: CalloutFacts = (d >= 0 ? calloutFor(input, ctx, d, device.bdf) : undefined) ?? {
    state: 'info',
    lines: [idleLine(ctx, device)],
  };
  const withCallout = input.callout !== false;
  const calloutH = withCallout ? calloutHeight(facts, at.w) : 0;

  // Row 2: table → entry → caches. It takes the height left above the host lane and the callout.
  const row2Y = row1Y + row1H + ROW_GAP;
  const row2H = Math.max(
    MIN_ROW2_H,
    at.bottom - row2Y - 8 - calloutH - (hostFacts ? hostH + HOST_GAP : 0),
  );
  // The caches get the width their rows need (PASID, DID, PGTT uncut) and the entry card its
  // comfortable width before the table's grid takes the rest (up to its largest slots); the entry
  // card gives back width first (its text wraps, never cuts, when it is narrower).
  const emuRows = emulatedRows(input, f);
  const cacheRows = [...emuRows, ...accelHeadRows(input, f)];
  const cacheNeed = Math.max(MIN_CACHE_W, listWidthFor(cacheRows));
  const slotSpace = Math.max(
    0,
    Math.min(MAX_SLOT_SPACE, at.w - 2 * ROW2_GAP - ENTRY_W - cacheNeed),
  );
  const grid = tableGridSize(slotSpace, row2H);
  // The table's column: its grid, or its title ("PASID table 16383") when that is wider.
  const tableColW = Math.max(
    grid.w,
    textWidth(`PASID table ${focus.dir.toString()}`, TYPE.title, true) + 4,
  );
  const entryW = Math.max(
    MIN_ENTRY_W,
    Math.min(ENTRY_W, at.w - tableColW - 2 * ROW2_GAP - listWidthFor(cacheRows, 'first')),
  );
  const dir = focus.dir;
  const tableBase = mem && context?.present ? leafTableBase(mem, context.dirBase, dir) : undefined;
  const walked =
    walk && dirOutcomeAt(walk, dir, cursor) !== 0
      ? leafSlotsAt(trace, walk, dir, cursor)
      : undefined;
  const slotFacts = (pasid: number): { state: CellState; detail: string } => {
    const m = tableBase !== undefined && mem ? readLeaf(mem, tableBase, pasid) : undefined;
    const s = walked?.[pasid & 63];
    const state = leafOutcomeState(s?.outcome ?? 0, m?.present ?? false);
    const did = s && s.outcome >= LeafOutcome.DidMismatch ? s.did : m?.did;
    const detail =
      m?.present || s
        ? `DID ${String(did ?? 0)}${m?.present ? ` · ${pgttShort(m.pgtt)}` : ''}`
        : '';
    return { state, detail };
  };
  const table = layoutTableGrid({
    bdf: device.bdf,
    dir: context?.present || walk ? dir : undefined,
    tableBase,
    slot: slotFacts,
    current: span.pasids,
    lit: lit.has('table'),
    x: at.x,
    y: row2Y,
    maxW: slotSpace,
    maxH: row2H,
    titleWidth: tableColW,
  });
  const pasid =
    focus.pasid ??
    (tableBase !== undefined && mem ? firstPresentLeaf(mem, tableBase, dir) : undefined);
  const entryAddr =
    tableBase !== undefined && pasid !== undefined && pasid >>> 6 === dir
      ? leafEntryAddr(tableBase, pasid)
      : undefined;
  const words =
    entryAddr !== undefined && mem
      ? Array.from({ length: 8 }, (_, i) => mem.readQword(entryAddr + BigInt(i * 8)))
      : undefined;
  const entryX = at.x + tableColW + ROW2_GAP;
  const entry = layoutEntryCard({
    pasid,
    addr: entryAddr,
    words,
    state: pasid !== undefined && pasid >>> 6 === dir ? slotFacts(pasid).state : 'unvisited',
    lit: lit.has('entry'),
    x: entryX,
    y: row2Y,
    w: entryW,
  });

  const cacheX = entryX + entryW + ROW2_GAP;
  const cacheW = at.x + at.w - cacheX;
  const emuH = LIST_TITLE_H + Math.max(1, emuRows.length) * ROW_H + 4;
  const rowsH = Math.max(row2H, table.h, entry.h);
  // The accel list takes the room its entries need (at least one row), up to what is left.
  const accelRows =
    d >= 0 && device.backend === 'iommufd' ? accelListAt(index, d, cursor, 0).length : 0;
  const accelH = Math.max(
    LIST_TITLE_H + ROW_H + 4,
    Math.min(rowsH - emuH - 8, LIST_TITLE_H + (accelRows + 1) * ROW_H + 4),
  );
  const slotAt = (p: number): { x: number; y: number } | undefined => {
    const cell = table.cells.find((c) => c.key === `pasid:${device.bdf}:${hex(p)}`);
    return cell ? { x: table.x + cell.x, y: table.y + cell.y } : undefined;
  };
  const accel = layoutAccel(input, f, lit.has('accel'), slotAt, {
    x: cacheX,
    y: row2Y,
    w: cacheW,
    h: accelH,
  });
  const emulated = layoutCacheList({
    kind: 'emulated',
    name: `Emulated PASID cache of ${device.bdf}: ${emuRows.map((r) => r.text).join('; ')}`,
    titles: ['Emulated PASID cache', 'Emulated cache'],
    rows: emuRows,
    length: emuRows.length,
    empty: 'no address space',
    lit: lit.has('emulated'),
    x: cacheX,
    y: row2Y + accelH + 8,
    w: cacheW,
    h: emuH,
  });
  const row2Bottom = Math.max(table.y + table.h, entry.y + entry.h, emulated.y + emulated.h);

  // Arrows: the pointers QEMU follows, lit when the part they lead to is.
  const arrows: ArrowModel[] = [];
  const ctxTable = context?.contextAddr !== undefined ? context.contextAddr & ~0xfffn : undefined;
  arrows.push(
    layoutArrow({
      key: 'arrow:root-context',
      from: { x: root.x + root.w, y: root.y + 30 },
      to: { x: ctxCard.x, y: ctxCard.y + 30 },
      route: 'h',
      label: ctxTable !== undefined ? hex(ctxTable) : '',
      title: `root entry → context table${ctxTable !== undefined ? ` @ ${hex(ctxTable)}` : ''}`,
      lit: lit.has('context'),
    }),
    layoutArrow({
      key: 'arrow:context-directory',
      from: { x: ctxCard.x + ctxCard.w, y: ctxCard.y + 30 },
      to: { x: lens.x, y: lens.y + 27 },
      route: 'h',
      label: context?.present ? hex(context.dirBase) : '',
      title: `context entry → PASID directory${context?.present ? ` @ ${hex(context.dirBase)}` : ''}`,
      lit: lit.has('directory'),
    }),
  );
  const lensCell = lens.cells.find((c) => c.key === `dir:${device.bdf}:${dir.toString()}`);
  if (lensCell) {
    arrows.push(
      layoutArrow({
        key: 'arrow:directory-table',
        from: { x: lens.x + lensCell.x + lensCell.w / 2, y: lens.y + lensCell.y + lensCell.h },
        to: { x: table.x + Math.min(table.w, 120) / 2, y: table.y - 2 },
        route: 'v',
        bend: row2Y - 12,
        label: tableBase !== undefined ? `table ${hex(tableBase)}` : '',
        title: `directory entry ${count(dir)} → PASID table${tableBase !== undefined ? ` @ ${hex(tableBase)}` : ' (not present)'}`,
        lit: lit.has('table'),
      }),
    );
  }
  const slot = pasid !== undefined ? slotAt(pasid) : undefined;
  arrows.push(
    layoutArrow({
      key: 'arrow:table-entry',
      from: { x: table.x + table.w, y: slot ? slot.y + 6 : table.y + 30 },
      to: { x: entry.x, y: entry.y + 16 },
      route: 'h',
      bend: table.x + table.w + (entry.x - table.x - table.w) / 2,
      label: '',
      title: `PASID table → PASID entry${entryAddr !== undefined ? ` @ ${hex(entryAddr)}` : ''}`,
      lit: lit.has('entry'),
    }),
    layoutArrow({
      key: 'arrow:entry-accel',
      from: { x: entry.x + entry.w, y: entry.y + 16 },
      to: { x: accel.x, y: accel.y + 16 },
      route: 'h',
      label: '',
      title: 'PASID entry → accel PASID cache (vtd_accel_fill_pc inserts at the head)',
      lit: lit.has('accel'),
    }),
    layoutArrow({
      key: 'arrow:entry-emulated',
      from: { x: entry.x + entry.w, y: entry.y + entry.h - 16 },
      to: { x: emulated.x, y: emulated.y + 16 },
      route: 'h',
      label: '',
      title: 'PASID entry → emulated PASID cache of the address space',
      lit: lit.has('emulated'),
    }),
  );

  let hostParts: PartModel[] = [];
  let hostBottom = row2Bottom;
  if (hostFacts) {
    const rowFrom = (part: PartModel, key: string): { x: number; y: number } | undefined => {
      const r = part.rows.find((row) => row.key === key);
      return r ? { x: part.x + r.x, y: part.y + r.y + r.h / 2 } : undefined;
    };
    const cached: CachedPasid[] = hostCached.map((c) => {
      const from =
        input.scenario.variant === 'seed'
          ? rowFrom(emulated, `as:${device.bdf}:${c.pasid.toString()}`)
          : rowFrom(accel, `cache:${device.bdf}:${hex(c.pasid)}`);
      return from ? { ...c, from } : c;
    });
    const host = layoutHostLane({
      ...hostFacts,
      cached,
      linkX: cacheX - 8,
      x: at.x,
      y: row2Bottom + HOST_GAP,
      w: at.w,
      h: hostH,
    });
    hostParts = host.parts;
    arrows.push(...host.arrows);
    hostBottom = row2Bottom + HOST_GAP + hostH;
  }

  const calloutBox = { x: at.x, y: hostBottom + 8, w: at.w, h: calloutH };
  return {
    parts: [root, ctxCard, lens, table, entry, accel, emulated, ...hostParts],
    arrows,
    ...(withCallout ? { callout: layoutCallout(facts, calloutBox) } : {}),
    bottom: withCallout ? calloutBox.y + calloutBox.h : hostBottom,
  };
}

/** Per walk (or per memory image): each overview bucket's state before and after the walk. */
const bucketMemo = new WeakMap<object, Map<string, CellState>>();

/**
 * A bucket's state at the cursor without asking each of its entries: the walk goes through the
 * directory in ascending order, so a bucket is either not reached (memory's state), passed (its
 * final state) — both memoised once per walk — or the one the walk is in (the only one counted
 * entry by entry). Keeps a 16,384-entry strip cheap at every event of a 2^20-PASID walk.
 */
function walkBuckets(
  walk: DirWalk | undefined,
  memPresent: Uint8Array | undefined,
  cursor: number,
  stateOf: (dir: number) => CellState,
): (from: number, to: number) => CellState {
  const owner: object | undefined = walk ?? memPresent;
  let memo: Map<string, CellState> | undefined;
  if (owner) {
    memo = bucketMemo.get(owner);
    if (!memo) {
      memo = new Map();
      bucketMemo.set(owner, memo);
    }
  }
  const inMemory = (dir: number): boolean => (memPresent?.[dir] ?? 0) === 1;
  const remembered = (key: string, make: () => CellState): CellState => {
    if (!memo) return make();
    let st = memo.get(key);
    if (st === undefined) {
      st = make();
      if (memo.size > 8192) memo.clear();
      memo.set(key, st);
    }
    return st;
  };
  return (from, to) => {
    const span = `${from.toString()}:${to.toString()}:${(memPresent?.length ?? 0).toString()}`;
    const memState = (): CellState =>
      remembered(`m:${span}`, () =>
        rangeState(from, to, (dir) => dirOutcomeState(0, inMemory(dir))),
      );
    if (!walk) return memState();
    const a = Math.max(from, walk.firstDir);
    const z = Math.min(to, walk.firstDir + walk.dirCount) - 1;
    if (z < a) return memState();
    const reached = (dir: number): boolean => {
      const i = dir - walk.firstDir;
      return (walk.outcome[i] ?? 0) !== 0 && (walk.event[i] ?? 0) <= cursor;
    };
    if (!reached(a)) return memState();
    if (reached(z)) {
      return remembered(`w:${span}`, () =>
        rangeState(from, to, (dir) =>
          dirOutcomeState(dirOutcomeAt(walk, dir, Number.MAX_SAFE_INTEGER), inMemory(dir)),
        ),
      );
    }
    return rangeState(from, to, stateOf);
  };
}

function idleLine(ctx: EventContext, device: DeviceConfig): string {
  if (ctx.gated) return 'The sync returned early: nothing is walked (see the explanation).';
  if (ctx.sync) return `The sync is on another part of its work; ${device.bdf} waits its turn.`;
  return `No PASID-cache sync at this event: ${device.bdf}'s caches as they stand.`;
}

function firstPresentLeaf(
  mem: GuestMemoryView,
  tableBase: bigint,
  dir: number,
): number | undefined {
  for (let s = 0; s < 64; s++) {
    if (readLeaf(mem, tableBase, dir * 64 + s).present) return dir * 64 + s;
  }
  return undefined;
}

/** Accel entries the host lane links (at most this many, head first). */
const HOST_LINKED_MAX = 64;

/**
 * The PASIDs QEMU binds on the host, with their cached PGTT: the series' accel entries, the seed's
 * PASID-0 address space (its emulated entry) when valid.
 */
function cachedForHost(input: WalkLayoutInput, f: ChainFacts): { pasid: number; pgtt: number }[] {
  const { index, cursor, memoryAt, scenario } = input;
  const { trace } = index;
  const pgttOf = (wordsEvent: number | undefined, pasid: number): number =>
    memoryAt && wordsEvent !== undefined
      ? entryFields(entryWordsAt(trace, memoryAt, wordsEvent, pasid)).pgtt
      : 0;
  if (scenario.variant === 'seed') {
    const st = emuEntryAt(index, f.d, 0, cursor);
    return st.valid ? [{ pasid: 0, pgtt: pgttOf(st.wordsEvent, 0) }] : [];
  }
  return accelListAt(index, f.d, cursor, HOST_LINKED_MAX).head.map((h) => ({
    pasid: h.pasid,
    pgtt: pgttOf(h.wordsEvent, h.pasid),
  }));
}

function emulatedRows(input: WalkLayoutInput, f: ChainFacts): CacheRowFacts[] {
  const { index, cursor, memoryAt } = input;
  const { trace } = index;
  const { device, d } = f;
  const k = trace.kind[cursor] ?? 0;
  const a = trace.a[cursor] ?? 0;
  const asPasids = [
    0,
    ...(device.backend === 'emulated' ? device.pasidAddressSpaces.filter((p) => p !== 0) : []),
  ].slice(0, 4);
  return asPasids.map((p) => {
    const st = d >= 0 ? emuEntryAt(index, d, p, cursor) : { valid: false };
    let did: number | undefined;
    if (st.valid && st.wordsEvent !== undefined && memoryAt) {
      did = entryFields(entryWordsAt(trace, memoryAt, st.wordsEvent, p)).did;
    }
    const here = (trace.device[cursor] ?? -1) === d && (trace.pasid[cursor] ?? -1) === p;
    let state: CacheRowFacts['state'] = st.valid ? 'plain' : 'unvisited';
    if (here) {
      switch (k) {
        case TraceKind.EmuCreated:
          state = 'created';
          break;
        case TraceKind.EmuRemoved:
          state = 'removed';
          break;
        case TraceKind.EmuUnchanged:
          state = 'unchanged';
          break;
        case TraceKind.EmuDiffers:
          state = 'differs';
          break;
        case TraceKind.EmuSkip:
          state = a === EmuSkipReason.DidFilter ? 'did-mismatch' : 'skipped';
          break;
        default:
          break;
      }
    }
    const didText = did !== undefined ? ` DID ${did.toString()}` : '';
    const text = `AS ${hex(p)} · ${st.valid ? `valid${did !== undefined ? ` ·${didText}` : ''}` : 'invalid'}`;
    return {
      key: `as:${device.bdf}:${p.toString()}`,
      text,
      short: st.valid
        ? [`AS ${hex(p)} valid${didText}`, `${hex(p)} valid${didText}`]
        : [`AS ${hex(p)} invalid`],
      state,
      title: `VTDPASIDCacheEntry of address space PASID ${hex(p)}: ${st.valid ? 'valid' : 'invalid'}${state !== 'plain' && state !== 'unvisited' ? ` — ${CELL_STYLES[state].label}` : ''}`,
    };
  });
}

function accelSummary(
  input: WalkLayoutInput,
  pasid: number,
  wordsEvent: number,
): { did: number; pgtt: number } | undefined {
  const { index, memoryAt } = input;
  return memoryAt ? entryFields(entryWordsAt(index.trace, memoryAt, wordsEvent, pasid)) : undefined;
}

function accelRowText(
  pasid: number,
  sum: { did: number; pgtt: number } | undefined,
): { text: string; short: string[] } {
  if (!sum) return { text: hex(pasid), short: [] };
  const did = sum.did.toString();
  const pgtt = pgttShort(sum.pgtt);
  return {
    text: `${hex(pasid)} · DID ${did} · ${pgtt}`,
    short: [`${hex(pasid)} DID ${did} ${pgtt}`],
  };
}

/** Row texts of the accel list's head (as many rows as a list can show), for its width. */
function accelHeadRows(input: WalkLayoutInput, f: ChainFacts): CacheRowFacts[] {
  if (f.device.backend !== 'iommufd' || f.d < 0) return [];
  return accelListAt(input.index, f.d, input.cursor, 12).head.map((h) => ({
    key: hex(h.pasid),
    state: 'plain',
    title: '',
    ...accelRowText(h.pasid, accelSummary(input, h.pasid, h.wordsEvent)),
  }));
}

function layoutAccel(
  input: WalkLayoutInput,
  f: ChainFacts,
  lit: boolean,
  slotAt: (pasid: number) => { x: number; y: number } | undefined,
  box: Box,
): PartModel {
  const { index, cursor } = input;
  const { trace } = index;
  const { device, d } = f;
  if (device.backend !== 'iommufd' || d < 0) {
    return layoutCacheList({
      kind: 'accel',
      name: `Accel PASID cache of ${device.bdf}: none (${device.backend === 'iommufd' ? 'not in this run' : 'not an iommufd device'})`,
      titles: ['Accel PASID cache', 'Accel cache'],
      rows: [],
      length: 0,
      empty: device.backend === 'iommufd' ? 'empty' : 'none (not iommufd)',
      lit,
      ...box,
    });
  }
  const maxRows = Math.max(2, Math.floor((box.h - LIST_TITLE_H) / ROW_H)) + 1;
  const accel = accelListAt(index, d, cursor, maxRows);
  const k = trace.kind[cursor] ?? 0;
  const onThis = (trace.device[cursor] ?? -1) === d;
  const evPasid = trace.pasid[cursor] ?? 0;
  const changes = accelChangesAt(index, d, cursor);
  const createdNow = new Set(changes.filter((ch) => ch.op === 1).map((ch) => ch.pasid));
  const updatedNow = new Set(changes.filter((ch) => ch.op === 2).map((ch) => ch.pasid));
  const removedNow = changes.filter((ch) => ch.op === 3).map((ch) => ch.pasid);
  const unchangedNow =
    onThis && k === TraceKind.LeafChecked && trace.a[cursor] === LeafOutcome.Unchanged
      ? evPasid
      : undefined;
  type Row = { pasid: number; wordsEvent: number; ghost: boolean };
  const rows: Row[] = accel.head.map((h) => ({
    pasid: h.pasid,
    wordsEvent: h.wordsEvent,
    ghost: false,
  }));
  // A PASID removed at this very event stays visible as a ghost at its old place.
  if (removedNow.length > 0 && cursor > 0) {
    const before = accelListAt(index, d, cursor - 1, maxRows + removedNow.length + 1);
    for (const p of removedNow) {
      const pos = before.head.findIndex((h) => h.pasid === p);
      const prev = before.head[pos];
      if (pos >= 0 && prev)
        rows.splice(pos, 0, { pasid: p, wordsEvent: prev.wordsEvent, ghost: true });
    }
  }
  const facts: CacheRowFacts[] = rows.map((r) => {
    const sum = accelSummary(input, r.pasid, r.wordsEvent);
    let state: CacheRowFacts['state'] = 'plain';
    if (r.ghost) state = 'removed';
    else if (createdNow.has(r.pasid)) state = 'created';
    else if (updatedNow.has(r.pasid)) state = 'updated';
    else if (unchangedNow === r.pasid) state = 'unchanged';
    const from = state === 'created' ? slotAt(r.pasid) : undefined;
    return {
      key: `cache:${device.bdf}:${hex(r.pasid)}`,
      ...accelRowText(r.pasid, sum),
      state,
      title: `VTDAccelPASIDCacheEntry: PASID ${hex(r.pasid)} (${r.pasid.toString()})${sum ? `, DID ${sum.did.toString()}, PGTT ${PGTT_NAMES[sum.pgtt] ?? sum.pgtt.toString()}` : ''}${state !== 'plain' ? ` — ${CELL_STYLES[state].label}` : ''}`,
      ...(from ? { enterFrom: from } : {}),
    };
  });
  return layoutCacheList({
    kind: 'accel',
    name: `Accel PASID cache of ${device.bdf}: ${count(accel.length)} ${accel.length === 1 ? 'entry' : 'entries'}, head first`,
    titles: [
      `Accel PASID cache · ${count(accel.length)}`,
      `Accel cache · ${count(accel.length)}`,
      `Accel · ${count(accel.length)}`,
    ],
    rows: facts,
    length: accel.length,
    empty: 'empty',
    lit,
    ...box,
  });
}
