// `pasidscope trace FILE`: one line per trace event, with the scenario step it belongs to, the
// QEMU function that produced it and, in words, what happened and why. The column meanings per
// kind are the contract of ../model/trace/traceFormat.ts.

import type { RunResult, Scenario, Trace, TraceEvent } from '../model/index.ts';
import {
  DirOutcome,
  EmuSkipReason,
  GateReason,
  LeafOutcome,
  QEMU_FUNCTIONS,
  RangeReason,
  RejectReason,
  RemovalOutcome,
  Structure,
  describeFault,
  descriptorTypeName,
  formatBdf,
  hexAddr,
  hostCallLine,
  readTraceEvent,
  TraceKind,
  eventKind,
  eventRunLength,
  leafDidAt,
  leafListComparesAt,
  leafOutcome,
} from '../model/index.ts';

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

const PC_TYPES: Readonly<Record<number, string>> = {
  0: 'domain-selective',
  1: 'PASID-selective',
  3: 'global',
};
const CC_GRANULARITY: Readonly<Record<number, string>> = {
  1: 'global',
  2: 'domain-selective',
  3: 'device-selective',
};

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

const GATE_TEXT: Readonly<Record<number, string>> = {
  [GateReason.NotRootScalable]:
    'the root table is not scalable-mode (RTADDR.SMT or scalable-mode off)',
  [GateReason.DmarDisabled]: 'DMA remapping is disabled (GCMD.TE)',
  [GateReason.FstsOff]: 'fsts is off: no accel path',
};

const EMU_SKIP_TEXT: Readonly<Record<number, string>> = {
  [EmuSkipReason.LookupFailedNotCached]: 'lookup failed and nothing is cached',
  [EmuSkipReason.PasidFilter]: "another PASID than the descriptor's",
  [EmuSkipReason.DidFilter]: "DID differs from the descriptor's",
};

const REMOVAL_TEXT: Readonly<Record<number, string>> = {
  [RemovalOutcome.PasidFilter]: 'another PASID: kept',
  [RemovalOutcome.DidFilter]: 'cached DID differs: kept',
  [RemovalOutcome.StillValid]: 'still valid in memory: kept',
  [RemovalOutcome.Removed]: 'lookup fails: removed',
};

const DIR_TEXT: Readonly<Record<number, string>> = {
  [DirOutcome.ReadFailed]: 'read failed, chunk skipped',
  [DirOutcome.NotPresent]: 'not present, chunk skipped',
  [DirOutcome.Present]: 'present',
};

function pasidRange(first: number, count: number): string {
  return count > 1
    ? `PASIDs ${hexAddr(first)}-${hexAddr(first + count - 1)}`
    : `PASID ${hexAddr(first)}`;
}

function fault(code: number): string {
  return code === 0 ? 'ok' : `fault ${describeFault(code)}`;
}

/** What an event says, in words. */
export function describeEvent(e: TraceEvent): string {
  const hexData = (n: number): string => `0x${n.toString(16)}`;
  switch (e.kind) {
    case 'StepWrite':
      return `guest writes ${e.qwords} qword${e.qwords === 1 ? '' : 's'} at ${hexAddr(e.addr)}`;
    case 'StepClearIqe':
      return 'guest clears FSTS.IQE';
    case 'DescFetched':
      return `descriptor type ${e.typeCode} (${descriptorTypeName(e.typeCode) ?? 'unknown'}) from a ${e.queueWidth}-bit queue`;
    case 'DescRejected':
      return `rejected: ${REJECT_TEXT[e.reason] ?? nameOf(RejectReason, e.reason)}; FSTS.IQE set`;
    case 'DescBlocked':
      return 'FSTS.IQE is set: descriptor dropped';
    case 'DescNoEffect':
      return `${descriptorTypeName(e.typeCode) ?? `type ${e.typeCode}`} descriptor checked: no PASID-cache effect`;
    case 'PcInfoBuilt':
      return `VTDPASIDCacheInfo: ${PC_TYPES[e.pcType] ?? `type ${e.pcType}`}, did ${e.did}, pasid ${e.pasid}`;
    case 'WaitStatusWrite':
      return `status write ${hexData(e.data)} to ${hexAddr(e.addr)}`;
    case 'ContextCacheInv': {
      const g = CC_GRANULARITY[e.granularity] ?? `granularity ${e.granularity}`;
      if (e.granularity === 3) {
        return `context-cache ${g}: ${formatBdf(e.didOrSourceId >> 8, e.didOrSourceId & 0xff)}, function mask ${e.functionMask}`;
      }
      return `context-cache ${g}${e.granularity === 2 ? `: did ${e.didOrSourceId}` : ''}`;
    }
    case 'ReplayBegin':
      return 'global PASID replay starts';
    case 'SyncBegin':
      return `${e.bdf ? `${e.bdf}: ` : ''}sync with ${PC_TYPES[e.pcType] ?? `type ${e.pcType}`}, did ${e.did}, pasid ${e.pasid}`;
    case 'SyncGated':
      return `${e.bdf ? `${e.bdf}: ` : ''}returns early: ${GATE_TEXT[e.reason] ?? nameOf(GateReason, e.reason)}`;
    case 'GuestRead':
      return `reads the ${STRUCTURE_NAMES[e.structure] ?? 'structure'} at ${hexAddr(e.addr)} (${e.bytes} bytes) for ${e.bdf} pasid ${e.pasid}: ${fault(e.fault)}`;
    case 'LookupResult':
      return `lookup of ${e.bdf} pasid ${e.pasid}: ${e.fault === 0 ? `valid (leaf entry at ${e.leafAddr === undefined ? '?' : hexAddr(e.leafAddr)})` : fault(e.fault)}`;
    case 'EmuSkip':
      return `address space ${e.bdf} pasid ${e.pasid}: skipped: ${EMU_SKIP_TEXT[e.reason] ?? nameOf(EmuSkipReason, e.reason)}${e.reason === EmuSkipReason.DidFilter ? ` (did ${e.did})` : ''}${e.reason === EmuSkipReason.LookupFailedNotCached && e.fault ? ` (${fault(e.fault)})` : ''}`;
    case 'EmuCreated':
      return `address space ${e.bdf} pasid ${e.pasid}: cache entry filled from ${e.source === undefined ? 'an all-zero buffer' : hexAddr(e.source)}${e.fallThrough ? ' (series fall-through: re-created after the removal)' : ''}`;
    case 'EmuRemoved':
      return `address space ${e.bdf} pasid ${e.pasid}: cache entry invalidated (${fault(e.fault)})`;
    case 'EmuUnchanged':
      return `address space ${e.bdf} pasid ${e.pasid}: cache equals memory: nothing to do`;
    case 'EmuDiffers':
      return `address space ${e.bdf} pasid ${e.pasid}: memory differs: switch and sync, cached copy kept`;
    case 'AccelDeviceBegin':
      return `accel sync of ${e.bdf}`;
    case 'AccelDeviceSkipped':
      return `${e.bdf} skipped: context lookup ${fault(e.fault)}`;
    case 'AccelRemovalCheck': {
      const which = e.count > 1 ? `${e.count} entries from pasid ${e.pasid}` : `pasid ${e.pasid}`;
      return `${e.bdf}: removal check of ${which} (cached did ${e.cachedDid}): ${REMOVAL_TEXT[e.outcome] ?? nameOf(RemovalOutcome, e.outcome)}${e.outcome === RemovalOutcome.Removed ? ` (${fault(e.fault)})` : ''}`;
    }
    case 'AccelBypass':
      return `${e.bdf}: accel_pce_deleted was set by the removal of pasid ${e.pasid}: replay skipped, flag cleared`;
    case 'RangeInit':
      return `range [${hexAddr(e.start)}, ${hexAddr(e.end)}) from ${e.reason === RangeReason.PasidSelective ? 'the PASID-selective descriptor' : `pasid-bits ${e.pasidBits}`}`;
    case 'RangeClamp':
      return `${e.bdf}: end clamped to ${hexAddr(e.end)} (max_pasid_log2 ${e.maxPasidLog2}, PDTS ${e.pdts})`;
    case 'DirChecked':
      return `${e.bdf}: directory ${e.chunks > 1 ? `${e.chunks} chunks` : 'chunk'} ${hexAddr(e.firstPasid)}-${hexAddr(e.end - 1)} (entry at ${hexAddr(e.addr)}): ${DIR_TEXT[e.outcome] ?? nameOf(DirOutcome, e.outcome)}${e.fault ? ` (${fault(e.fault)})` : ''}`;
    case 'LeafChecked': {
      const shown = e.outcome >= LeafOutcome.DidMismatch ? ` (did ${e.did})` : '';
      const compares =
        e.outcome >= LeafOutcome.Created
          ? `, ${e.listCompares} list compare${e.listCompares === 1 ? '' : 's'}`
          : '';
      return `${e.bdf}: ${pasidRange(e.firstPasid, e.count)}: ${LEAF_TEXT[e.outcome] ?? nameOf(LeafOutcome, e.outcome)}${shown}${compares}`;
    }
    case 'AccelRemoved':
      return `${e.bdf}: pasid ${e.pasid} (cached did ${e.did}) removed from the list`;
    case 'HostCall':
      return hostCallLine(e, e.bdf);
  }
}

/**
 * Event i as the lines it prints: itself, or one per PASID of a coalesced fill run (the model
 * stores creations, updates and unchanged entries of consecutive PASIDs as one event; the text
 * lists them one by one, as QEMU meets them).
 */
function printedEvents(t: Trace, i: number): TraceEvent[] {
  const e = readTraceEvent(t, i);
  if (e.kind !== 'LeafChecked' || e.outcome < LeafOutcome.Created || e.count <= 1) return [e];
  return Array.from({ length: e.count }, (_, k) => {
    const compares = leafListComparesAt(t, i, k);
    return {
      ...e,
      firstPasid: e.firstPasid + k,
      count: 1,
      addr: e.addr + BigInt(64 * k),
      did: leafDidAt(t, i, k),
      listCompares: compares,
      listComparesTotal: compares,
    };
  });
}

/** Lines formatTrace prints for the trace (fill runs count once per PASID). */
function printedLength(t: Trace): number {
  let n = 0;
  for (let i = 0; i < t.length; i++) {
    const fill =
      eventKind(t, i) === TraceKind.LeafChecked && leafOutcome(t, i) >= LeafOutcome.Created;
    n += fill ? eventRunLength(t, i) : 1;
  }
  return n;
}

/** The whole trace as text: "step N  #i  function  what happened", one event per line. */
export function formatTrace(scenario: Scenario, result: RunResult): string {
  const t = result.trace;
  const lines: string[] = [];
  const stepWidth = String(Math.max(0, scenario.steps.length - 1)).length;
  const eventWidth = String(Math.max(0, printedLength(t) - 1)).length;
  const fnWidth = Math.max(...Object.values(QEMU_FUNCTIONS).map((f) => f.name.length));
  for (let i = 0; i < t.length; i++) {
    for (const e of printedEvents(t, i)) {
      const fn = QEMU_FUNCTIONS[e.fn].name;
      lines.push(
        `step ${String(e.step).padStart(stepWidth)}  #${String(lines.length).padStart(eventWidth)}  ${fn.padEnd(fnWidth)}  ${describeEvent(e)}`,
      );
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
