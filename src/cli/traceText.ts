// `pasidscope trace FILE`: one line per trace event, with the scenario step it belongs to, the
// QEMU function that produced it and, in words, what happened and why. The column meanings per
// kind are the contract of ../model/trace/traceFormat.ts.

import type { RunResult, Scenario, Trace } from '../model/index.ts';
import {
  DirOutcome,
  EmuSkipReason,
  GateReason,
  LeafOutcome,
  NO_ADDR,
  QEMU_FUNCTIONS,
  RangeReason,
  RejectReason,
  RemovalOutcome,
  Structure,
  TraceKind,
  describeFault,
  descriptorTypeName,
  hexAddr,
} from '../model/index.ts';

/** One event's columns. */
export interface TraceEventView {
  readonly kind: number;
  readonly fn: number;
  readonly device: number;
  readonly pasid: number;
  readonly count: number;
  readonly addr: bigint;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

export function eventAt(trace: Trace, i: number): TraceEventView {
  return {
    kind: trace.kind[i] ?? 0,
    fn: trace.fn[i] ?? 0,
    device: trace.device[i] ?? -1,
    pasid: trace.pasid[i] ?? 0,
    count: trace.count[i] ?? 0,
    addr: trace.addr[i] ?? NO_ADDR,
    a: trace.a[i] ?? 0,
    b: trace.b[i] ?? 0,
    c: trace.c[i] ?? 0,
  };
}

/** The name of a constant in one of the trace's code tables (for unknown codes: the number). */
function nameOf(table: Readonly<Record<string, number>>, code: number): string {
  return Object.entries(table).find(([, v]) => v === code)?.[0] ?? String(code);
}

const STRUCTURE_NAMES: Readonly<Record<number, string>> = {
  [Structure.RootEntry]: 'root entry',
  [Structure.ContextEntry]: 'context entry',
  [Structure.PasidDirEntry]: 'PASID directory entry',
  [Structure.PasidEntry]: 'PASID table entry',
  [Structure.WaitStatus]: 'wait status',
};

const PC_TYPES: Readonly<Record<number, string>> = { 0: 'domain-selective', 1: 'PASID-selective', 3: 'global' };
const CC_GRANULARITY: Readonly<Record<number, string>> = { 1: 'global', 2: 'domain-selective', 3: 'device-selective' };

const REJECT_TEXT: Readonly<Record<number, string>> = {
  [RejectReason.PasidDescIn128BitQueue]: '256-bit PASID-cache descriptor in a 128-bit queue',
  [RejectReason.PasidDescReservedBits]: 'reserved bits set in the PASID-cache descriptor',
  [RejectReason.PasidDescGranularity2]: 'PASID-cache granularity 2 is reserved',
  [RejectReason.WaitDescReservedBits]: 'reserved bits set in the wait descriptor',
  [RejectReason.WaitDescNoAction]: 'wait descriptor with none of IF, SW, FN',
  [RejectReason.WaitStatusWriteFailed]: 'wait status write outside guest RAM',
  [RejectReason.ContextDescReservedBits]: 'reserved bits set in the context-cache descriptor',
  [RejectReason.ContextDescGranularity0]: 'context-cache granularity 0 is reserved',
  [RejectReason.OtherDescInvalid]: 'descriptor failed its own checks',
  [RejectReason.UnknownType]: 'unknown descriptor type',
};

const LEAF_TEXT: Readonly<Record<number, string>> = {
  [LeafOutcome.FetchError]: 'leaf read failed (0x58): skipped',
  [LeafOutcome.EntryInvalid]: 'PGTT / level check failed (0x5b): skipped',
  [LeafOutcome.NotPresent]: 'not present: skipped',
  [LeafOutcome.DidMismatch]: 'DID differs from the descriptor: skipped',
  [LeafOutcome.Created]: 'created at the list head',
  [LeafOutcome.Updated]: 'entry differs: updated',
  [LeafOutcome.Unchanged]: 'unchanged',
};

function pasidRange(first: number, count: number): string {
  return count > 1 ? `PASIDs ${hexAddr(first)}-${hexAddr(first + count - 1)}` : `PASID ${hexAddr(first)}`;
}

function fault(code: number): string {
  return code === 0 ? 'ok' : `fault ${describeFault(code)}`;
}

/** What an event says, in words. */
export function describeEvent(e: TraceEventView, devices: readonly string[]): string {
  const dev = devices[e.device] ?? (e.device >= 0 ? `device ${e.device}` : '');
  const as = `${dev} pasid ${e.pasid}`;
  const at = e.addr === NO_ADDR ? 'an all-zero buffer' : hexAddr(e.addr);
  switch (e.kind) {
    case TraceKind.StepWrite:
      return `guest writes ${e.count} qword${e.count === 1 ? '' : 's'} at ${hexAddr(e.addr)}`;
    case TraceKind.StepClearIqe:
      return 'guest clears FSTS.IQE';
    case TraceKind.DescFetched:
      return `descriptor type ${e.a} (${descriptorTypeName(e.a) ?? 'unknown'}) from a ${e.b}-bit queue`;
    case TraceKind.DescRejected:
      return `rejected: ${REJECT_TEXT[e.a] ?? nameOf(RejectReason, e.a)}; FSTS.IQE set`;
    case TraceKind.DescBlocked:
      return 'FSTS.IQE is set: descriptor dropped';
    case TraceKind.DescNoEffect:
      return `${descriptorTypeName(e.a) ?? `type ${e.a}`} descriptor checked: no PASID-cache effect`;
    case TraceKind.PcInfoBuilt:
      return `VTDPASIDCacheInfo: ${PC_TYPES[e.a] ?? `type ${e.a}`}, did ${e.b}, pasid ${e.pasid}`;
    case TraceKind.WaitStatusWrite:
      return `status write 0x${e.a.toString(16)} to ${hexAddr(e.addr)}`;
    case TraceKind.ContextCacheInv:
      return `context-cache ${CC_GRANULARITY[e.a] ?? `granularity ${e.a}`} (did/source-id 0x${e.b.toString(16)}, fm ${e.c})`;
    case TraceKind.ReplayBegin:
      return 'global PASID replay starts';
    case TraceKind.SyncBegin:
      return `sync with ${PC_TYPES[e.a] ?? `type ${e.a}`}, did ${e.b}, pasid ${e.pasid}`;
    case TraceKind.SyncGated:
      return `returns early: ${nameOf(GateReason, e.a)}`;
    case TraceKind.GuestRead:
      return `reads the ${STRUCTURE_NAMES[e.a] ?? 'structure'} at ${hexAddr(e.addr)} (${e.b} bytes) for ${as}: ${fault(e.c)}`;
    case TraceKind.LookupResult:
      return `lookup of ${as}: ${e.a === 0 ? `valid (leaf entry at ${at})` : fault(e.a)}`;
    case TraceKind.EmuSkip:
      return `address space ${as}: skipped: ${nameOf(EmuSkipReason, e.a)}${e.a === EmuSkipReason.DidFilter ? ` (did ${e.b})` : ''}`;
    case TraceKind.EmuCreated:
      return `address space ${as}: cache entry filled from ${at}${e.b === 1 ? ' (series fall-through re-creation)' : ''}`;
    case TraceKind.EmuRemoved:
      return `address space ${as}: cache entry invalidated (${fault(e.c)})`;
    case TraceKind.EmuUnchanged:
      return `address space ${as}: cache equals memory: nothing to do`;
    case TraceKind.EmuDiffers:
      return `address space ${as}: memory differs: switch + sync, cached copy kept`;
    case TraceKind.AccelDeviceBegin:
      return `accel sync of ${dev}`;
    case TraceKind.AccelDeviceSkipped:
      return `${dev} skipped: context lookup ${fault(e.a)}`;
    case TraceKind.AccelRemovalCheck:
      return `removal check of ${as} (cached did ${e.b}): ${nameOf(RemovalOutcome, e.a)}${e.a === RemovalOutcome.Removed ? ` (${fault(e.c)})` : ''}`;
    case TraceKind.AccelBypass:
      return `${dev}: accel_pce_deleted set by the removal: replay skipped, flag cleared`;
    case TraceKind.RangeInit:
      return `range [${hexAddr(e.pasid)}, ${hexAddr(e.b)}) from ${e.a === RangeReason.PasidSelective ? 'the PASID-selective descriptor' : `pasid-bits ${e.c}`}`;
    case TraceKind.RangeClamp:
      return `${dev}: end clamped to ${hexAddr(e.c)} (max_pasid_log2 ${e.a}, PDTS ${e.b})`;
    case TraceKind.DirChecked:
      return `${dev}: directory ${e.count > 1 ? `${e.count} chunks` : 'chunk'} from PASID ${hexAddr(e.pasid)} to ${hexAddr(e.b)} (entry at ${hexAddr(e.addr)}): ${nameOf(DirOutcome, e.a)}${e.c ? ` (${fault(e.c)})` : ''}`;
    case TraceKind.LeafChecked:
      return `${dev}: ${pasidRange(e.pasid, e.count)}: ${LEAF_TEXT[e.a] ?? nameOf(LeafOutcome, e.a)}${e.a >= LeafOutcome.DidMismatch ? ` (did ${e.b})` : ''}${e.a >= LeafOutcome.Created ? `, ${e.c} list compare${e.c === 1 ? '' : 's'}` : ''}`;
    case TraceKind.AccelRemoved:
      return `${dev} pasid ${e.pasid} (cached did ${e.a}) removed from the list`;
    default:
      return `event kind ${e.kind}`;
  }
}

/** The whole trace as text: "step N  #i  function  what happened", one event per line. */
export function formatTrace(scenario: Scenario, result: RunResult): string {
  const t = result.trace;
  const lines: string[] = [];
  const stepWidth = String(Math.max(0, scenario.steps.length - 1)).length;
  const eventWidth = String(Math.max(0, t.length - 1)).length;
  const fnWidth = Math.max(...Object.values(QEMU_FUNCTIONS).map((f) => f.name.length));
  let step = 0;
  for (let i = 0; i < t.length; i++) {
    while (step + 1 < t.stepStart.length && (t.stepStart[step + 1] ?? Infinity) <= i) step++;
    const e = eventAt(t, i);
    const fn = QEMU_FUNCTIONS[e.fn as keyof typeof QEMU_FUNCTIONS]?.name ?? `fn ${e.fn}`;
    lines.push(
      `step ${String(step).padStart(stepWidth)}  #${String(i).padStart(eventWidth)}  ${fn.padEnd(fnWidth)}  ${describeEvent(e, t.devices)}`,
    );
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
