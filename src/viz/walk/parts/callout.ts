// The callout: the current event's outcome in words, in the largest type of the drawing, so that
// the back row reads what happened without the explanation pane. Reads of the chain (root,
// context, directory) get a line too, so the drawing never says less than the explanation.

import {
  EmuSkipReason,
  HostCallOp,
  LeafOutcome,
  NO_ADDR,
  QemuFn,
  RemovalOutcome,
  Structure,
  TraceKind,
} from '../../../model/core.ts';
import { count, hex, pasidRange } from '../../format.ts';
import type { EventContext } from '../../trace/eventContext.ts';
import type { TraceIndex } from '../../trace/traceIndex.ts';
import { entryWordsAt, previousWordsEvent, type MemoryAtStep } from '../cacheReplay.ts';
import type { CellState } from '../cellStates.ts';
import { entryDiff } from '../entryDiff.ts';
import { TYPE, wrapText, type Box, type TextItem } from './geometry.ts';

export interface CalloutFacts {
  readonly state: CellState | 'info';
  readonly lines: readonly string[];
}

export interface CalloutInput {
  readonly index: TraceIndex;
  readonly cursor: number;
  readonly memoryAt?: MemoryAtStep;
}

const STRUCTURE_NAMES: Readonly<Record<number, string>> = {
  [Structure.RootEntry]: 'root entry',
  [Structure.ContextEntry]: 'context entry',
  [Structure.PasidDirEntry]: 'PASID directory entry',
  [Structure.PasidEntry]: 'PASID entry',
};

export function calloutFor(
  input: CalloutInput,
  ctx: EventContext,
  d: number,
  bdf: string,
): CalloutFacts | undefined {
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
      // b = 1: the series' fall-through (no return after the removal), with the failed lookup's
      // buffer (addr NO_ADDR: all zero) stored as a valid entry again.
      return b === 1
        ? {
            state: 'created',
            lines: [
              `+ address space PASID ${hex(p)}: fall-through — re-cached as valid right after its removal`,
              `the series lost the return after the removal: the failed lookup's buffer${trace.addr[cursor] === NO_ADDR ? ' (all zero)' : ''} passes the filter`,
            ],
          }
        : { state: 'created', lines: [`+ address space PASID ${hex(p)}: entry cached (valid)`] };
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
    case TraceKind.GuestRead: {
      const what = STRUCTURE_NAMES[a] ?? 'structure';
      return c === 0
        ? { state: 'info', lines: [`QEMU reads the ${what} @ ${hex(trace.addr[cursor] ?? 0n)}`] }
        : {
            state: 'fetch-error',
            lines: [`× reading the ${what} @ ${hex(trace.addr[cursor] ?? 0n)} failed (${hex(c)})`],
          };
    }
    case TraceKind.LookupResult:
      return a === 0
        ? { state: 'info', lines: [`PASID ${hex(p)}: the lookup finds a valid PASID entry`] }
        : { state: 'invalid', lines: [`! PASID ${hex(p)}: the lookup fails (${hex(a)})`] };
    case TraceKind.AccelDeviceBegin:
      return { state: 'info', lines: [`The accel sync now walks ${bdf}'s PASID tables`] };
    case TraceKind.RangeClamp:
      return {
        state: 'info',
        lines: [
          c <= p
            ? `Nothing to walk on ${bdf}: the range is empty`
            : `${bdf}: walk PASIDs ${pasidRange(p, c - 1)} (${count(c - p)})`,
        ],
      };
    case TraceKind.AccelDeviceSkipped:
      return {
        state: 'invalid',
        lines: [`! ${bdf}: context lookup failed (${hex(a)}) → device skipped`],
      };
    case TraceKind.HostCall:
      return hostCallout(
        a as HostCallOp,
        p,
        b,
        (c & 1) === 1,
        trace.addr[cursor] ?? 0n,
        trace.fn[cursor] === QemuFn.vtd_propagate_guest_pasid,
      );
    default:
      return undefined;
  }
}

/** A host call in the callout's words: what QEMU asked, and what a failure leaves behind. */
export function hostCallout(
  op: HostCallOp,
  pasid: number,
  id: number,
  ok: boolean,
  addr: bigint,
  seed: boolean,
): CalloutFacts {
  const p = hex(pasid);
  switch (op) {
    case HostCallOp.Faultq:
      return ok
        ? { state: 'created', lines: [`+ host: fault queue ${id.toString()} for PASID ${p}`] }
        : {
            state: 'invalid',
            lines: [`× host refuses PASID ${p}'s fault queue`, 'QEMU stops: nothing is attached'],
          };
    case HostCallOp.Alloc:
      return ok
        ? {
            state: 'created',
            lines: [`+ host: hwpt ${id.toString()} for PASID ${p} from table ${hex(addr)}`],
          }
        : {
            state: 'invalid',
            lines: [
              `× host refuses a hwpt for PASID ${p}`,
              'nothing attached: the entry keeps its old binding',
            ],
          };
    case HostCallOp.Attach:
      if (ok) {
        return {
          state: 'created',
          lines: [
            id === 1
              ? `✓ host: PASID ${p} attached to hwpt 1 (GPA→HPA parent)`
              : `✓ host: PASID ${p} attached to hwpt ${id.toString()}`,
          ],
        };
      }
      return {
        state: 'invalid',
        lines: [
          `× host refuses to attach PASID ${p} to hwpt ${id.toString()}`,
          pasid === 0
            ? "PASID 0 stays on the GPA→HPA parent: DMA bypasses the guest's table"
            : 'entry cached, not bound: QEMU retries only when the guest entry changes',
        ],
      };
    case HostCallOp.Detach:
      return ok
        ? { state: 'removed', lines: [`− host: PASID ${p} detached`] }
        : {
            state: 'invalid',
            lines: [
              `× host refuses to detach PASID ${p}: it stays bound`,
              seed
                ? 'the address space keeps the id: the next good attach frees it'
                : 'QEMU drops the entry anyway: its hwpt leaks',
            ],
          };
    case HostCallOp.Free:
      return { state: 'removed', lines: [`− host: object ${id.toString()} freed (PASID ${p})`] };
    case HostCallOp.Invalidate:
      return ok
        ? {
            state: 'info',
            lines: [`⇢ PIOTLB forwarded to hwpt ${id.toString()} (PASID ${p}) @ ${hex(addr)}`],
          }
        : {
            state: 'invalid',
            lines: [
              `× PIOTLB for PASID ${p} sent to hwpt ${id.toString()}: fails`,
              "the device's first-stage IOTLB is not flushed",
            ],
          };
    default:
      return { state: 'info', lines: [`host call for PASID ${p}`] };
  }
}
/**
 * The callout's text wrapped (never cut) to `width`: the outcome in the callout's type on as many
 * lines as it needs, then the note lines in body type.
 */
export function wrapCallout(
  lines: readonly string[],
  width: number,
): { lines: string[]; mainLines: number } {
  const main = wrapText(lines[0] ?? '', width, TYPE.callout, true);
  const notes = lines.slice(1).flatMap((l) => (l ? wrapText(l, width, TYPE.note) : []));
  return { lines: [...main, ...notes], mainLines: main.length };
}

/** The callout at its smallest: one outcome line and one note line. */
export const CALLOUT_H = 44;
const MAIN_LINE = 19;
const NOTE_LINE = 19;

/** Height of the callout box for these facts at width w. */
export function calloutHeight(facts: CalloutFacts, w: number): number {
  const { lines, mainLines } = wrapCallout(facts.lines, w - 20);
  const last = (mainLines - 1) * MAIN_LINE + (lines.length - mainLines) * NOTE_LINE;
  return Math.max(CALLOUT_H, 19 + last + 10);
}

export interface CalloutModel extends Box {
  readonly key: string;
  readonly state: CalloutFacts['state'];
  readonly texts: readonly TextItem[];
}

/** The callout box: its main line(s) in the callout type, a note line under them. */
export function layoutCallout(facts: CalloutFacts, box: Box): CalloutModel {
  const wrapped = wrapCallout(facts.lines, box.w - 20);
  return {
    key: 'callout',
    ...box,
    state: facts.state,
    texts: wrapped.lines.map((text, i) => ({
      key: `callout:${i.toString()}`,
      x: 10,
      y:
        19 +
        Math.min(i, wrapped.mainLines - 1) * MAIN_LINE +
        Math.max(0, i - wrapped.mainLines + 1) * NOTE_LINE,
      text,
      role: i < wrapped.mainLines ? 'title' : 'note',
      size: i < wrapped.mainLines ? TYPE.callout : TYPE.note,
      anchor: 'start',
    })),
  };
}
