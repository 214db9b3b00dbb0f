// The walk view's layout: (trace, cursor, scenario, guest memory) → a view model of positioned,
// keyed items that render.ts joins into the SVG. Pure: what is shown at event N depends only on the
// trace and N (and the scenario's memory at N's step), so stepping back is exact.
//
// Per device, a lane: the context entry (PDTS, directory pointer), the emulated address spaces, the
// PASID directory as a strip, the 64-slot leaf tables of present directory entries, and the device's
// accel cache list (head first). The device the cursor is on gets a full lane; the others are
// collapsed to one line. Above the lanes, the PASID range the current walk covers, with its limits.

import {
  LeafOutcome,
  PASID_ENTRY,
  PGTT_NAMES,
  TraceKind,
  EmuSkipReason,
  RemovalOutcome,
  fieldDisplayValue,
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
import { count, hex, pasidRange } from '../format.ts';
import {
  accelChangesAt,
  accelListAt,
  emuEntryAt,
  entryWordsAt,
  previousWordsEvent,
  type MemoryAtStep,
  type GuestMemoryView,
} from './cacheReplay.ts';
import {
  CELL_STYLES,
  dirOutcomeState,
  leafOutcomeState,
  strongerState,
  type CellState,
} from './cellStates.ts';
import {
  leafTableBase,
  presentDirs,
  readContext,
  readLeaf,
  type ContextView,
} from './guestStructures.ts';
import { entryDiff } from './entryDiff.ts';
import { layoutRangeBar, type RangeBarModel } from './rangeBar.ts';
import { dirOutcomeAt, dirWalkOf, leafSlotsAt, type DirWalk } from './walkState.ts';

export interface DirWindow {
  readonly from: number;
  /** exclusive */
  readonly to: number;
}

export interface WalkLayoutInput {
  readonly index: TraceIndex;
  readonly cursor: number;
  readonly scenario: Scenario;
  /** Guest memory at a scenario step; without it the view shows only what the trace says. */
  readonly memoryAt?: MemoryAtStep;
  readonly width: number;
  /** Zoomed directory windows, by BDF; a device without one shows its whole walk. */
  readonly dirWindows?: Readonly<Record<string, DirWindow>>;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface LaneModel extends Box {
  readonly key: string;
  readonly bdf: string;
  readonly focused: boolean;
  readonly title: string;
  readonly summary: string;
}

export interface TextModel {
  readonly key: string;
  readonly x: number;
  readonly y: number;
  readonly text: string;
  readonly anchor: 'start' | 'middle' | 'end';
  readonly cls: string;
}

export interface ContextBoxModel extends Box {
  readonly key: string;
  readonly lines: readonly string[];
  readonly state: 'ok' | 'missing' | 'fault';
  readonly title: string;
}

export interface CellModel extends Box {
  readonly key: string;
  readonly state: CellState;
  readonly glyph: string;
  readonly title: string;
  readonly current: boolean;
}

export interface DirCellModel extends CellModel {
  readonly bdf: string;
  /** Directory indices [from, to) this cell stands for (one, or a bucket when aggregated). */
  readonly from: number;
  readonly to: number;
}

export interface GridModel extends Box {
  readonly key: string;
  readonly label: string;
  readonly focused: boolean;
}

export interface CacheRowModel extends Box {
  readonly key: string;
  readonly text: string;
  readonly state: CellState | 'plain' | 'more';
  readonly title: string;
  /** For an entry created at this event: where it flies in from (the leaf slot). */
  readonly enterFrom?: { readonly x: number; readonly y: number };
}

export interface CalloutModel extends Box {
  readonly key: string;
  readonly state: CellState | 'info';
  readonly lines: readonly string[];
  /** Lines [0, mainLines) are the outcome itself; the rest are a smaller note. */
  readonly mainLines: number;
}

export interface WalkViewModel {
  readonly width: number;
  readonly height: number;
  readonly cursor: number;
  readonly eventCount: number;
  readonly step: number;
  readonly rangeBar?: RangeBarModel;
  readonly rangeBarPlaceholder?: TextModel;
  readonly lanes: readonly LaneModel[];
  readonly contexts: readonly ContextBoxModel[];
  readonly dirCells: readonly DirCellModel[];
  readonly grids: readonly GridModel[];
  readonly slots: readonly CellModel[];
  readonly cacheRows: readonly CacheRowModel[];
  readonly asChips: readonly CellModel[];
  readonly labels: readonly TextModel[];
  readonly callouts: readonly CalloutModel[];
  /** The box around what the current event touches. */
  readonly focus?: Box & { readonly key: string };
}

// Geometry (px). Chosen so that a 1280-wide window shows a full lane with two leaf tables.
const PAD = 12;
const RANGE_BAR_SPACE = 96;
const LANE_GAP = 10;
const HEADER_H = 22;
const CTX_W = 176;
const CTX_H = 66;
const CACHE_W = 220;
const COL_GAP = 18;
/** Room the directory strip's caption needs beside the context box. */
const MIN_MID_W = 240;
const DIR_H = 18;
const MIN_DIR_CELL = 10;
const BUCKET_PX = 4;
const SLOT = 12;
const SLOT_GAP = 2;
const GRID_LABEL_H = 16;
const GRID_W = 8 * (SLOT + SLOT_GAP) - SLOT_GAP;
const GRID_GAP = 16;
const ROW_H = 18;
const AS_H = 18;
const CALLOUT_H = 40;
const MIN_LIST_ROWS = 5;
const COLLAPSED_H = 40;

const PE_DID_FIELD = PASID_ENTRY.fields.find((f) => f.name === 'did');
const PE_PGTT_FIELD = PASID_ENTRY.fields.find((f) => f.name === 'pgtt');

function pgttShort(pgtt: number): string {
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

function entrySummary(words: readonly bigint[]): { did: number; pgtt: number } {
  return {
    did: PE_DID_FIELD ? Number(fieldDisplayValue(words, PE_DID_FIELD)) : 0,
    pgtt: PE_PGTT_FIELD ? Number(fieldDisplayValue(words, PE_PGTT_FIELD)) : 0,
  };
}

interface LaneWalk {
  readonly walk?: DirWalk;
  readonly context?: ContextView;
  readonly mem?: GuestMemoryView;
}

function laneWalk(
  input: WalkLayoutInput,
  ctx: EventContext,
  deviceIndex: number,
  device: DeviceConfig,
): LaneWalk {
  const { index, cursor, scenario, memoryAt } = input;
  const mem = memoryAt?.(ctx.step);
  const context = mem ? readContext(scenario.iommu, device, mem) : undefined;
  const clampE =
    deviceIndex < 0 ? undefined : lastClampForDevice(index, deviceIndex, ctx.stepStart, cursor);
  const walk =
    clampE === undefined
      ? undefined
      : dirWalkOf(index.trace, walkSegmentOf(index, clampE, ctx.stepEnd));
  return {
    ...(walk ? { walk } : {}),
    ...(context ? { context } : {}),
    ...(mem ? { mem } : {}),
  };
}

/** The directory range a lane shows when not zoomed: the walked range, or the whole directory. */
function autoWindow(lw: LaneWalk): DirWindow | undefined {
  if (lw.walk) {
    const to = lw.walk.firstDir + lw.walk.dirCount;
    return { from: 0, to: Math.max(1, to) };
  }
  if (lw.context?.present) return { from: 0, to: lw.context.dirEntries };
  return undefined;
}

function clampWindow(w: DirWindow): DirWindow {
  const from = Math.max(0, Math.min(16383, Math.floor(w.from)));
  const to = Math.max(from + 1, Math.min(16384, Math.ceil(w.to)));
  return { from, to };
}

export function layoutWalk(input: WalkLayoutInput): WalkViewModel {
  const { index, scenario, width } = input;
  const { trace } = index;
  const cursor = Math.max(0, Math.min(input.cursor, trace.length - 1));
  const empty: WalkViewModel = {
    width,
    height: 2 * PAD,
    cursor,
    eventCount: trace.length,
    step: 0,
    lanes: [],
    contexts: [],
    dirCells: [],
    grids: [],
    slots: [],
    cacheRows: [],
    asChips: [],
    labels: [],
    callouts: [],
  };
  if (trace.length === 0) return empty;
  const ctx = eventContext(index, cursor);
  const k = trace.kind[cursor] ?? 0;
  const evDevice = focusDevice(trace, ctx);
  const evPasid = trace.pasid[cursor] ?? 0;
  const evCount = Math.max(1, trace.count[cursor] ?? 1);
  const a = trace.a[cursor] ?? 0;

  const devIndexByBdf = new Map(trace.devices.map((bdf, i) => [bdf, i]));
  const devices = scenario.devices;
  const focusedBdf =
    (evDevice >= 0 ? trace.devices[evDevice] : undefined) ??
    devices.find((d) => d.backend === 'iommufd')?.bdf ??
    devices[0]?.bdf;

  const labels: TextModel[] = [];
  const lanes: LaneModel[] = [];
  const contexts: ContextBoxModel[] = [];
  const dirCells: DirCellModel[] = [];
  const grids: GridModel[] = [];
  const slots: CellModel[] = [];
  const cacheRows: CacheRowModel[] = [];
  const asChips: CellModel[] = [];
  const callouts: CalloutModel[] = [];
  let focus: (Box & { key: string }) | undefined;

  // Range bar: the accel walk's limits for the device being walked.
  const deviceLabel = evDevice >= 0 ? trace.devices[evDevice] : undefined;
  const rangeBar = layoutRangeBar({
    x: PAD + 8,
    y: PAD,
    width: Math.max(120, width - 2 * PAD - 16),
    ...(ctx.rangeInit ? { init: ctx.rangeInit } : {}),
    ...(ctx.rangeClamp && ctx.rangeClamp.device === evDevice ? { clamp: ctx.rangeClamp } : {}),
    ...(deviceLabel ? { deviceLabel } : {}),
  });
  const rangeBarPlaceholder: TextModel | undefined = rangeBar
    ? undefined
    : {
        key: 'range:placeholder',
        x: PAD + 8,
        y: PAD + 24,
        text: ctx.gated
          ? 'No accel walk: the sync returned early (see the explanation).'
          : ctx.sync
            ? 'The accel walk has not started yet in this sync.'
            : 'No PASID-cache sync at this step: nothing is walked.',
        anchor: 'start',
        cls: 'range-placeholder',
      };
  if ((k === TraceKind.RangeInit || k === TraceKind.RangeClamp) && rangeBar) {
    focus = {
      key: 'focus',
      x: rangeBar.x - 6,
      y: rangeBar.y - 6,
      w: rangeBar.width + 12,
      h: rangeBar.height + 8,
    };
  }

  let y = PAD + RANGE_BAR_SPACE;
  for (const device of devices) {
    const d = devIndexByBdf.get(device.bdf) ?? -1;
    const focused = device.bdf === focusedBdf;
    const lw = laneWalk(input, ctx, d, device);
    const accel = d >= 0 ? accelListAt(index, d, cursor, 64) : { length: 0, head: [] };
    const isAccel = device.backend === 'iommufd';
    const title = `${device.bdf} · ${device.backend}${device.name ? ` · ${device.name}` : ''}`;
    const summary = isAccel
      ? `accel list: ${count(accel.length)} ${accel.length === 1 ? 'entry' : 'entries'}`
      : 'no accel list (not an iommufd device)';
    const laneX = PAD;
    // Never narrower than its three columns: in a small panel the lane overflows (pan or zoom
    // to see it) instead of drawing the directory strip under the cache list.
    const laneW = Math.max(
      width - 2 * PAD,
      8 + CTX_W + COL_GAP + MIN_MID_W + COL_GAP + CACHE_W + 8,
    );
    const cacheX = laneX + laneW - CACHE_W - 8;
    const midX = laneX + 8 + CTX_W + COL_GAP;
    const midW = Math.max(GRID_W, cacheX - COL_GAP - midX);
    const window = autoWindow(lw);
    const zoom = input.dirWindows?.[device.bdf];
    const win = zoom ? clampWindow(zoom) : window;

    if (!focused) {
      lanes.push({
        key: `lane:${device.bdf}`,
        bdf: device.bdf,
        x: laneX,
        y,
        w: laneW,
        h: COLLAPSED_H,
        focused,
        title,
        summary,
      });
      if (win) {
        dirCells.push(
          ...collapsedDirCells(trace, ctx.step, {
            bdf: device.bdf,
            lw,
            win,
            x: midX,
            y: y + HEADER_H + 2,
            w: midW,
            h: 8,
            cursor,
            currentDirs: undefined,
            glyphs: false,
          }),
        );
      }
      y += COLLAPSED_H + LANE_GAP;
      continue;
    }

    // --- focused lane ---
    const top = y;
    const ctxY = top + HEADER_H + 6;
    const ctxLines: string[] = [];
    let ctxState: ContextBoxModel['state'] = 'ok';
    const c = lw.context;
    if (!c) ctxLines.push('context entry', '(memory not loaded)');
    else if (!c.rootPresent) {
      ctxState = 'missing';
      ctxLines.push(`root entry bus ${device.bus.toString()}`, 'not present');
    } else if (!c.present) {
      ctxState = 'missing';
      ctxLines.push('context entry', 'not present');
    } else {
      ctxLines.push(
        `PDTS ${c.pdts.toString()} → ${count(c.dirEntries)} dir entries`,
        `dir @ ${hex(c.dirBase)}`,
        `max PASID ${count(c.dirEntries * 64)}`,
      );
    }
    const skippedHere = k === TraceKind.AccelDeviceSkipped && evDevice === d ? a : undefined;
    if (skippedHere !== undefined) {
      ctxState = 'fault';
      ctxLines.push(`lookup fault ${hex(skippedHere)}`);
    }
    contexts.push({
      key: `ctx:${device.bdf}`,
      x: laneX + 8,
      y: ctxY,
      w: CTX_W,
      h: CTX_H,
      lines: ctxLines,
      state: ctxState,
      title:
        c?.contextAddr !== undefined ? `context entry @ ${hex(c.contextAddr)}` : 'context entry',
    });
    if (
      (k === TraceKind.AccelDeviceBegin || k === TraceKind.AccelDeviceSkipped) &&
      evDevice === d
    ) {
      focus = { key: 'focus', x: laneX + 4, y: ctxY - 4, w: CTX_W + 8, h: CTX_H + 8 };
    }

    // Emulated address spaces under the context entry.
    const asPasids = [
      0,
      ...(device.backend === 'emulated' ? device.pasidAddressSpaces.filter((p) => p !== 0) : []),
    ];
    labels.push({
      key: `aslabel:${device.bdf}`,
      x: laneX + 8,
      y: ctxY + CTX_H + 16,
      text: 'Emulated VTDPASIDCacheEntry',
      anchor: 'start',
      cls: 'section-label',
    });
    asPasids.slice(0, 4).forEach((p, i) => {
      const st = d >= 0 ? emuEntryAt(index, d, p, cursor) : { valid: false };
      let did: number | undefined;
      if (st.valid && st.wordsEvent !== undefined && input.memoryAt) {
        did = entrySummary(entryWordsAt(trace, input.memoryAt, st.wordsEvent, p)).did;
      }
      const here = evDevice === d && evPasid === p;
      let state: CellState = st.valid ? 'created' : 'unvisited';
      let glyph = st.valid ? '✓' : '';
      if (here) {
        switch (k) {
          case TraceKind.EmuCreated:
            state = 'created';
            glyph = '+';
            break;
          case TraceKind.EmuRemoved:
            state = 'removed';
            glyph = CELL_STYLES.removed.glyph;
            break;
          case TraceKind.EmuUnchanged:
            state = 'unchanged';
            glyph = '=';
            break;
          case TraceKind.EmuDiffers:
            state = 'differs';
            glyph = '≈';
            break;
          case TraceKind.EmuSkip:
            state = a === EmuSkipReason.DidFilter ? 'did-mismatch' : 'skipped';
            glyph = CELL_STYLES[state].glyph;
            break;
          default:
            break;
        }
      }
      const chip = {
        key: `as:${device.bdf}:${p.toString()}`,
        x: laneX + 8,
        y: ctxY + CTX_H + 22 + i * (AS_H + 4),
        // The state square; the text beside it is a label (readable on any state colour).
        w: AS_H,
        h: AS_H,
        state,
        glyph,
        title: `address space PASID ${p.toString()}: ${st.valid ? 'valid' : 'invalid'}`,
        current: here && isEmuKind(k),
      };
      asChips.push({
        ...chip,
        title: `${chip.title}${did !== undefined ? `, DID ${did.toString()}` : ''}`,
      });
      labels.push({
        key: `astext:${device.bdf}:${p.toString()}`,
        x: chip.x + 22,
        y: chip.y + 13,
        text: `AS ${hex(p)} · ${st.valid ? `valid${did !== undefined ? ` · DID ${did.toString()}` : ''}` : 'invalid'}`,
        anchor: 'start',
        cls: 'chip-text',
      });
      if (chip.current) {
        focus = { key: 'focus', x: chip.x - 4, y: chip.y - 3, w: CTX_W + 8, h: chip.h + 6 };
      }
    });

    // Directory strip.
    const dirY = ctxY + 16;
    let currentDirs: DirWindow | undefined;
    if (evDevice === d && ctx.walk) {
      if (k === TraceKind.DirChecked) {
        currentDirs = { from: evPasid >>> 6, to: (evPasid >>> 6) + evCount };
      } else if (k === TraceKind.LeafChecked) {
        currentDirs = { from: evPasid >>> 6, to: ((evPasid + evCount - 1) >>> 6) + 1 };
      }
    } else if (evDevice === d && isEmuKind(k)) {
      currentDirs = { from: evPasid >>> 6, to: (evPasid >>> 6) + 1 };
    }
    if (win) {
      labels.push({
        key: `dirlabel:${device.bdf}`,
        x: midX,
        y: dirY - 5,
        text: `PASID directory ${zoom ? '(zoomed) ' : ''}entries ${count(win.from)}–${count(win.to - 1)}${c?.present ? ` of ${count(c.dirEntries)}` : ''}`,
        anchor: 'start',
        cls: 'section-label',
      });
      const cells = pushDirCells(dirCells, {
        bdf: device.bdf,
        lw,
        win,
        x: midX,
        y: dirY,
        w: midW,
        h: DIR_H,
        cursor,
        currentDirs,
        glyphs: true,
      });
      const cur = cells.filter((cell) => cell.current);
      if (cur.length > 0 && k === TraceKind.DirChecked) {
        const x0 = Math.min(...cur.map((q) => q.x));
        const x1 = Math.max(...cur.map((q) => q.x + q.w));
        focus = { key: 'focus', x: x0 - 3, y: dirY - 3, w: x1 - x0 + 6, h: DIR_H + 6 };
      }
    } else {
      labels.push({
        key: `dirlabel:${device.bdf}`,
        x: midX,
        y: dirY + 12,
        text: 'No PASID directory: the context entry is not usable.',
        anchor: 'start',
        cls: 'section-label',
      });
    }

    // Leaf tables of present directory entries.
    const gridY = dirY + DIR_H + 10;
    const maxGrids = Math.max(1, Math.floor((midW + GRID_GAP) / (GRID_W + GRID_GAP)));
    const cursorDir = currentDirs?.from;
    const chosen = win ? chooseGrids(lw, win, cursor, cursorDir, maxGrids) : [];
    chosen.forEach((dir, gi) => {
      const gx = midX + gi * (GRID_W + GRID_GAP);
      const focusedGrid = cursorDir === dir;
      grids.push({
        key: `table:${device.bdf}:${dir.toString()}`,
        x: gx,
        y: gridY + GRID_LABEL_H,
        w: GRID_W,
        h: GRID_W,
        label: `table ${count(dir)} · ${pasidRange(dir * 64, dir * 64 + 63)}`,
        focused: focusedGrid,
      });
      const walked =
        lw.walk && dirOutcomeAt(lw.walk, dir, cursor) !== 0
          ? leafSlotsAt(trace, lw.walk, dir, cursor)
          : undefined;
      const tableBase =
        lw.mem && lw.context?.present ? leafTableBase(lw.mem, lw.context.dirBase, dir) : undefined;
      for (let s = 0; s < 64; s++) {
        const pasid = dir * 64 + s;
        const mem =
          tableBase !== undefined && lw.mem ? readLeaf(lw.mem, tableBase, pasid) : undefined;
        const slot = walked?.[s];
        const state = leafOutcomeState(slot?.outcome ?? 0, mem?.present ?? false);
        const current =
          evDevice === d &&
          ((k === TraceKind.LeafChecked && pasid >= evPasid && pasid < evPasid + evCount) ||
            (isEmuKind(k) && pasid === evPasid));
        const did = slot && slot.outcome >= LeafOutcome.DidMismatch ? slot.did : mem?.did;
        slots.push({
          key: `pasid:${device.bdf}:${hex(pasid)}`,
          x: gx + (s % 8) * (SLOT + SLOT_GAP),
          y: gridY + GRID_LABEL_H + Math.floor(s / 8) * (SLOT + SLOT_GAP),
          w: SLOT,
          h: SLOT,
          state,
          glyph: CELL_STYLES[state].glyph,
          title: `PASID ${hex(pasid)}${did !== undefined && (mem?.present || slot) ? ` · DID ${did.toString()}` : ''}${mem?.present ? ` · ${pgttShort(mem.pgtt)}` : ''} — ${CELL_STYLES[state].label}`,
          current,
        });
      }
    });
    const curSlots = slots.filter((s) => s.current && s.key.startsWith(`pasid:${device.bdf}:`));
    if (curSlots.length > 0 && (k === TraceKind.LeafChecked || isEmuKind(k))) {
      const x0 = Math.min(...curSlots.map((q) => q.x));
      const y0 = Math.min(...curSlots.map((q) => q.y));
      const x1 = Math.max(...curSlots.map((q) => q.x + q.w));
      const y1 = Math.max(...curSlots.map((q) => q.y + q.h));
      focus = { key: 'focus', x: x0 - 3, y: y0 - 3, w: x1 - x0 + 6, h: y1 - y0 + 6 };
    }

    // The accel cache list, head first.
    const listY = ctxY;
    const gridsBottom = chosen.length > 0 ? gridY + GRID_LABEL_H + GRID_W + 8 : gridY;
    const laneBodyH = Math.max(
      gridsBottom + CALLOUT_H - top,
      ctxY + CTX_H + 22 + asPasids.slice(0, 4).length * (AS_H + 4) - top,
      listY + 16 + MIN_LIST_ROWS * ROW_H - top,
    );
    const maxRows = Math.max(2, Math.floor((top + laneBodyH - listY - 18) / ROW_H));
    labels.push({
      key: `cachelabel:${device.bdf}`,
      x: cacheX,
      y: listY + 10,
      text: isAccel ? 'Accel PASID cache (head first)' : 'No accel cache',
      anchor: 'start',
      cls: 'section-label',
    });
    if (isAccel && d >= 0) {
      const changes = accelChangesAt(index, d, cursor);
      const createdNow = new Set(changes.filter((ch) => ch.op === 1).map((ch) => ch.pasid));
      const updatedNow = new Set(changes.filter((ch) => ch.op === 2).map((ch) => ch.pasid));
      const removedNow = changes.filter((ch) => ch.op === 3).map((ch) => ch.pasid);
      const unchangedNow =
        evDevice === d && k === TraceKind.LeafChecked && a === LeafOutcome.Unchanged
          ? evPasid
          : undefined;
      const checkingNow = evDevice === d && k === TraceKind.AccelRemovalCheck ? evPasid : undefined;
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
      const shown = rows.slice(0, rows.length > maxRows ? maxRows - 1 : maxRows);
      shown.forEach((r, i) => {
        const words = input.memoryAt
          ? entryWordsAt(trace, input.memoryAt, r.wordsEvent, r.pasid)
          : undefined;
        const sum = words ? entrySummary(words) : undefined;
        let state: CacheRowModel['state'] = 'plain';
        if (r.ghost) state = 'removed';
        else if (createdNow.has(r.pasid)) state = 'created';
        else if (updatedNow.has(r.pasid)) state = 'updated';
        else if (unchangedNow === r.pasid) state = 'unchanged';
        const rowY = listY + 16 + i * ROW_H;
        const slot = slots.find((s) => s.key === `pasid:${device.bdf}:${hex(r.pasid)}`);
        const row: CacheRowModel = {
          key: `cache:${device.bdf}:${hex(r.pasid)}`,
          x: cacheX,
          y: rowY,
          w: CACHE_W,
          h: ROW_H - 2,
          text: `${hex(r.pasid)}${sum ? `  DID ${sum.did.toString()}  ${pgttShort(sum.pgtt)}` : ''}`,
          state,
          title: `VTDAccelPASIDCacheEntry: PASID ${hex(r.pasid)} (${r.pasid.toString()})${sum ? `, DID ${sum.did.toString()}, PGTT ${PGTT_NAMES[sum.pgtt] ?? sum.pgtt.toString()}` : ''}${state !== 'plain' ? ` — ${CELL_STYLES[state].label}` : ''}`,
          ...(state === 'created' && slot ? { enterFrom: { x: slot.x, y: slot.y } } : {}),
        };
        cacheRows.push(row);
        if (state !== 'plain' || (checkingNow === r.pasid && !r.ghost)) {
          if (evDevice === d)
            focus = { key: 'focus', x: row.x - 3, y: row.y - 2, w: row.w + 6, h: row.h + 4 };
        }
      });
      const hidden = accel.length - shown.filter((r) => !r.ghost).length;
      if (hidden > 0) {
        cacheRows.push({
          key: `cachemore:${device.bdf}`,
          x: cacheX,
          y: listY + 16 + shown.length * ROW_H,
          w: CACHE_W,
          h: ROW_H - 2,
          text: `… ${count(hidden)} more`,
          state: 'more',
          title: `${count(accel.length)} entries in list order; the ${count(shown.length)} nearest the head are shown`,
        });
      }
      if (accel.length === 0 && removedNow.length === 0) {
        labels.push({
          key: `cacheempty:${device.bdf}`,
          x: cacheX,
          y: listY + 30,
          text: '(empty)',
          anchor: 'start',
          cls: 'muted',
        });
      }
    }

    // The callout: the current event's outcome in words, large enough to read from the back row.
    const callout = calloutFor(input, ctx, d, device.bdf);
    if (callout) {
      callouts.push({
        key: `callout:${device.bdf}`,
        x: midX,
        y: top + laneBodyH - CALLOUT_H + 2,
        w: midW,
        h: CALLOUT_H - 6,
        state: callout.state,
        ...wrapCallout(callout.lines, midW - 20),
      });
    }

    lanes.push({
      key: `lane:${device.bdf}`,
      bdf: device.bdf,
      x: laneX,
      y: top,
      w: laneW,
      h: laneBodyH + 6,
      focused,
      title,
      summary,
    });
    y = top + laneBodyH + 6 + LANE_GAP;
  }

  return {
    width,
    height: y + PAD,
    cursor,
    eventCount: trace.length,
    step: ctx.step,
    ...(rangeBar ? { rangeBar } : {}),
    ...(rangeBarPlaceholder ? { rangeBarPlaceholder } : {}),
    lanes,
    contexts,
    dirCells,
    grids,
    slots,
    cacheRows,
    asChips,
    labels,
    callouts,
    ...(focus ? { focus } : {}),
  };
}

/** Approximate advance of one character of the callout's type (13px bold sans), px. */
const CALLOUT_CHAR_PX = 8.2;

/** The callout's text in at most two lines that fit `width` (the rest of a line is cut with …). */
export function wrapCallout(
  lines: readonly string[],
  width: number,
): { lines: string[]; mainLines: number } {
  const max = Math.max(12, Math.floor(width / CALLOUT_CHAR_PX));
  const words = (lines[0] ?? '').split(' ');
  const first: string[] = [];
  while (words.length > 0 && [...first, words[0]].join(' ').length <= max) {
    first.push(words.shift() ?? '');
  }
  if (first.length === 0) first.push(words.shift() ?? '');
  const wrapped = words.length > 0;
  const rest = [words.join(' '), ...lines.slice(1)].filter((l) => l.length > 0);
  const second = rest[0];
  const cut = (l: string): string => (l.length > max ? `${l.slice(0, max - 1)}…` : l);
  return second === undefined
    ? { lines: [cut(first.join(' '))], mainLines: 1 }
    : { lines: [cut(first.join(' ')), cut(second)], mainLines: wrapped ? 2 : 1 };
}

function isEmuKind(k: number): boolean {
  return (
    k === TraceKind.LookupResult ||
    k === TraceKind.EmuSkip ||
    k === TraceKind.EmuCreated ||
    k === TraceKind.EmuRemoved ||
    k === TraceKind.EmuUnchanged ||
    k === TraceKind.EmuDiffers
  );
}

function dirStateAt(
  lw: LaneWalk,
  dir: number,
  cursor: number,
  memPresent: Uint8Array | undefined,
): CellState {
  const walked = lw.walk ? dirOutcomeAt(lw.walk, dir, cursor) : 0;
  return dirOutcomeState(walked, (memPresent?.[dir] ?? 0) === 1);
}

type DirCellParams = Parameters<typeof pushDirCells>[1];

const collapsedCache = new WeakMap<object, Map<string, readonly DirCellModel[]>>();

/**
 * A collapsed lane's strip. While the cursor is in another device's walk, this lane's walk is
 * either all done or not begun, so its strip is the same at every such event: memoised on that.
 */
function collapsedDirCells(trace: object, step: number, p: DirCellParams): readonly DirCellModel[] {
  const seg = p.lw.walk?.segment;
  const phase = !seg
    ? 'none'
    : p.cursor < seg.start
      ? 'before'
      : p.cursor >= seg.end
        ? 'after'
        : String(p.cursor);
  const key = [p.bdf, step, seg?.start ?? -1, p.win.from, p.win.to, p.x, p.y, p.w, phase].join('|');
  let perTrace = collapsedCache.get(trace);
  if (!perTrace) {
    perTrace = new Map();
    collapsedCache.set(trace, perTrace);
  }
  const hit = perTrace.get(key);
  if (hit) return hit;
  if (perTrace.size > 256) perTrace.clear();
  const made = pushDirCells([], p);
  perTrace.set(key, made);
  return made;
}

function pushDirCells(
  out: DirCellModel[],
  p: {
    readonly bdf: string;
    readonly lw: LaneWalk;
    readonly win: DirWindow;
    readonly x: number;
    readonly y: number;
    readonly w: number;
    readonly h: number;
    readonly cursor: number;
    readonly currentDirs: DirWindow | undefined;
    readonly glyphs: boolean;
  },
): DirCellModel[] {
  const { lw, win, cursor } = p;
  const n = win.to - win.from;
  const memPresent =
    lw.mem && lw.context?.present
      ? presentDirs(
          lw.mem,
          lw.context.dirBase,
          Math.min(16384, Math.max(win.to, lw.context.dirEntries)),
        )
      : undefined;
  const isCurrent = (from: number, to: number): boolean =>
    p.currentDirs !== undefined && from < p.currentDirs.to && p.currentDirs.from < to;
  const made: DirCellModel[] = [];
  if (n * MIN_DIR_CELL <= p.w) {
    const cw = Math.min(24, p.w / n);
    for (let dir = win.from; dir < win.to; dir++) {
      const state = dirStateAt(lw, dir, cursor, memPresent);
      made.push({
        key: `dir:${p.bdf}:${dir.toString()}`,
        bdf: p.bdf,
        from: dir,
        to: dir + 1,
        x: p.x + (dir - win.from) * cw,
        y: p.y,
        w: Math.max(1, cw - 1),
        h: p.h,
        state,
        glyph: p.glyphs ? CELL_STYLES[state].glyph : '',
        title: `directory entry ${dir.toString()} (PASIDs ${pasidRange(dir * 64, dir * 64 + 63)}) — ${CELL_STYLES[state].label}`,
        current: isCurrent(dir, dir + 1),
      });
    }
  } else {
    // Aggregated: buckets of equal size, merged when neighbours show the same state.
    const buckets = Math.max(1, Math.floor(p.w / BUCKET_PX));
    const per = Math.ceil(n / buckets);
    let runFrom = win.from;
    let runState: CellState | undefined;
    let runCurrent = false;
    const flush = (to: number): void => {
      if (runState === undefined || to <= runFrom) return;
      const x0 = p.x + ((runFrom - win.from) / n) * p.w;
      const x1 = p.x + ((to - win.from) / n) * p.w;
      made.push({
        key: `dirbin:${p.bdf}:${runFrom.toString()}`,
        bdf: p.bdf,
        from: runFrom,
        to,
        x: x0,
        y: p.y,
        w: Math.max(1, x1 - x0 - 0.5),
        h: p.h,
        state: runState,
        glyph: p.glyphs && x1 - x0 >= 12 ? CELL_STYLES[runState].glyph : '',
        title: `directory entries ${count(runFrom)}–${count(to - 1)} (PASIDs ${pasidRange(runFrom * 64, to * 64 - 1)}) — ${CELL_STYLES[runState].label}; click to zoom in`,
        current: runCurrent,
      });
    };
    for (let b = win.from; b < win.to; b += per) {
      const end = Math.min(win.to, b + per);
      let st: CellState = dirStateAt(lw, b, cursor, memPresent);
      for (let dir = b + 1; dir < end; dir++) {
        st = strongerState(st, dirStateAt(lw, dir, cursor, memPresent));
      }
      const cur = isCurrent(b, end);
      if (st !== runState || cur !== runCurrent) {
        flush(b);
        runFrom = b;
        runState = st;
        runCurrent = cur;
      }
    }
    flush(win.to);
  }
  out.push(...made);
  return made;
}

/** Present directory entries to draw as leaf grids: the cursor's first, then its neighbours. */
function chooseGrids(
  lw: LaneWalk,
  win: DirWindow,
  cursor: number,
  cursorDir: number | undefined,
  maxGrids: number,
): number[] {
  const memPresent =
    lw.mem && lw.context?.present
      ? presentDirs(
          lw.mem,
          lw.context.dirBase,
          Math.min(16384, Math.max(win.to, lw.context.dirEntries)),
        )
      : undefined;
  const candidate = (dir: number): boolean => {
    const walked = lw.walk ? dirOutcomeAt(lw.walk, dir, cursor) : 0;
    if (walked !== 0) return walked === 3; // DirOutcome.Present
    return (memPresent?.[dir] ?? 0) === 1;
  };
  // Pages of `maxGrids` tables: the page holding the cursor's table. The set changes only when the
  // walk leaves the page, so the grids stay put while the cursor moves across them.
  const target =
    cursorDir !== undefined ? Math.max(win.from, Math.min(win.to - 1, cursorDir)) : win.from;
  let before = 0;
  for (let dir = win.from; dir < target; dir++) if (candidate(dir)) before += 1;
  const pageStart = Math.floor(before / maxGrids) * maxGrids;
  const chosen: number[] = [];
  let seen = 0;
  for (let dir = win.from; dir < win.to && chosen.length < maxGrids; dir++) {
    if (!candidate(dir)) continue;
    if (seen >= pageStart) chosen.push(dir);
    seen += 1;
  }
  return chosen;
}

function calloutFor(
  input: WalkLayoutInput,
  ctx: EventContext,
  d: number,
  bdf: string,
): Omit<CalloutModel, 'key' | 'mainLines' | keyof Box> | undefined {
  const { index, cursor, memoryAt } = input;
  const { trace } = index;
  const k = trace.kind[cursor] ?? 0;
  if ((trace.device[cursor] ?? -1) !== d) return undefined;
  const p = trace.pasid[cursor] ?? 0;
  const n = Math.max(1, trace.count[cursor] ?? 1);
  const a = trace.a[cursor] ?? 0;
  const b = trace.b[cursor] ?? 0;
  const c = trace.c[cursor] ?? 0;
  const did = ctx.sync?.did ?? 0;
  switch (k) {
    case TraceKind.LeafChecked: {
      const range = pasidRange(p, p + n - 1);
      switch (a) {
        case LeafOutcome.Created:
          return {
            state: 'created',
            lines: [
              `+ PASID ${range} created → head of ${bdf}'s list`,
              `searched ${count(c)} list ${c === 1 ? 'entry' : 'entries'} first`,
            ],
          };
        case LeafOutcome.Updated: {
          let lines = [`Δ PASID ${range} updated: the cached copy differed from memory`];
          if (memoryAt) {
            const prev = previousWordsEvent(index, d, p, cursor);
            if (prev !== undefined) {
              const diff = entryDiff(
                entryWordsAt(trace, memoryAt, prev, p),
                entryWordsAt(trace, memoryAt, cursor, p),
              );
              lines = [
                `Δ PASID ${range} updated: ${diff.slice(0, 3).join(', ')}${diff.length > 3 ? ` (+${(diff.length - 3).toString()})` : ''}`,
              ];
            }
          }
          return { state: 'updated', lines };
        }
        case LeafOutcome.Unchanged:
          return {
            state: 'unchanged',
            lines: [`= PASID ${range}: cached copy equals memory — nothing to do`],
          };
        case LeafOutcome.DidMismatch:
          return {
            state: 'did-mismatch',
            lines: [
              `≠ PASID ${range}: DID ${b.toString()} ≠ ${did.toString()} requested → skipped`,
            ],
          };
        case LeafOutcome.NotPresent:
          return {
            state: 'not-present',
            lines: [`– PASID ${range}: leaf entry not present → skipped`],
          };
        case LeafOutcome.EntryInvalid:
          return {
            state: 'invalid',
            lines: [`! PASID ${range}: rejected by the PGTT / level check (fault 0x5b) → skipped`],
          };
        case LeafOutcome.FetchError:
          return {
            state: 'fetch-error',
            lines: [`× PASID ${range}: leaf read failed (fault 0x58) → skipped`],
          };
        default:
          return undefined;
      }
    }
    case TraceKind.DirChecked: {
      const dir = p >>> 6;
      const dirs =
        n === 1
          ? `directory entry ${dir.toString()}`
          : `directory entries ${count(dir)}–${count(dir + n - 1)}`;
      switch (a) {
        case 3:
          return { state: 'dir-present', lines: [`P ${dirs} present → walk its leaf table`] };
        case 2:
          return {
            state: 'dir-not-present',
            lines: [`– ${dirs} not present → ${count(n * 64)} PASIDs skipped`],
          };
        default:
          return {
            state: 'dir-read-failed',
            lines: [`× ${dirs}: read failed (fault ${hex(c || 0x50)}) → skipped`],
          };
      }
    }
    case TraceKind.AccelRemoved:
      return {
        state: 'removed',
        lines: [`− PASID ${hex(p)} removed from ${bdf}'s list (vtd_accel_delete_pc)`],
      };
    case TraceKind.AccelRemovalCheck:
      return a === RemovalOutcome.Removed
        ? {
            state: 'removed',
            lines: [`− PASID ${hex(p)}: guest entry no longer valid (${hex(c)}) → remove`],
          }
        : {
            state: 'info',
            lines: [
              `PASID ${hex(p)}: ${a === RemovalOutcome.StillValid ? 'still valid in memory → kept' : 'filtered out → kept'}`,
            ],
          };
    case TraceKind.EmuCreated:
      return { state: 'created', lines: [`+ address space PASID ${hex(p)}: entry cached (valid)`] };
    case TraceKind.EmuRemoved:
      return {
        state: 'removed',
        lines: [`− address space PASID ${hex(p)}: lookup failed (${hex(c)}) → invalidated`],
      };
    case TraceKind.EmuDiffers:
      return {
        state: 'differs',
        lines: [`≈ address space PASID ${hex(p)}: memory differs → switch + sync; copy kept`],
      };
    case TraceKind.EmuUnchanged:
      return { state: 'unchanged', lines: [`= address space PASID ${hex(p)}: equal to memory`] };
    case TraceKind.EmuSkip:
      return {
        state: a === EmuSkipReason.DidFilter ? 'did-mismatch' : 'skipped',
        lines: [`· address space PASID ${hex(p)}: skipped`],
      };
    case TraceKind.AccelDeviceSkipped:
      return {
        state: 'invalid',
        lines: [`! ${bdf}: context lookup failed (${hex(a)}) → device skipped`],
      };
    default:
      return undefined;
  }
}
