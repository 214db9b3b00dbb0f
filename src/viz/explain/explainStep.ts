// One trace event → a plain-language sentence, for people who have never read QEMU's code:
// "PASID 0x41: the directory entry for PASIDs 0x40–0x7f is present, the leaf entry is present,
// DID 3 ≠ 5 requested by the domain-selective invalidation → skipped". The sentence names what was
// checked, what was found and what QEMU therefore did; the sync's VTDPASIDCacheInfo comes from the
// enclosing SyncBegin / PcInfoBuilt event.

import {
  DirOutcome,
  EmuSkipReason,
  GateReason,
  LeafOutcome,
  PGTT_NAMES,
  QEMU_FUNCTIONS,
  RangeReason,
  RejectReason,
  RemovalOutcome,
  Structure,
  TraceKind,
  QemuFn,
  type Scenario,
  type Trace,
} from '../../model/core.ts';
import { eventContext, type EventContext, type PcInfoFrame } from '../trace/eventContext.ts';
import { stepCount, type TraceIndex } from '../trace/traceIndex.ts';
import { article, count, faultText, hex, pasidRange, plural, powerOfTwo } from '../format.ts';
import { entryWordsAt, previousWordsEvent, type MemoryAtStep } from '../walk/cacheReplay.ts';
import { entryDiff } from '../walk/entryDiff.ts';
import { readContext, readLeaf } from '../walk/guestStructures.ts';
import { pdtsLimit } from '../walk/rangeBar.ts';

export interface Explanation {
  /** "Step 3 of 7 · event 45 of 310" */
  readonly position: string;
  /** The QEMU function and file the event belongs to. */
  readonly where: string;
  readonly sentence: string;
  /** Further facts: the scenario step's note, a diff, a QEMU quirk. */
  readonly details: readonly string[];
}

export interface ExplainOptions {
  readonly scenario?: Scenario;
  readonly memoryAt?: MemoryAtStep;
}

const DESC_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'context-cache',
  2: 'IOTLB',
  3: 'device-TLB',
  4: 'interrupt-entry-cache',
  5: 'invalidation-wait',
  6: 'PASID-IOTLB',
  7: 'PASID-cache',
  8: 'PASID device-TLB',
  9: 'page-group-response',
};

export function descTypeName(type: number): string {
  return DESC_TYPE_NAMES[type] ?? `type-${type.toString()}`;
}

/** "the domain-selective invalidation (DID 5)" etc. */
export function pcInfoText(pc: PcInfoFrame): string {
  switch (pc.type) {
    case 0:
      return `domain-selective (DSI) for DID ${pc.did.toString()}`;
    case 1:
      return `PASID-selective (PASID-SI) for DID ${pc.did.toString()}, PASID ${hex(pc.pasid)}`;
    case 3:
      return 'global';
    default:
      return `type ${pc.type.toString()}`;
  }
}

function granularityNoun(pc: PcInfoFrame | undefined): string {
  switch (pc?.type) {
    case 0:
      return 'domain-selective invalidation';
    case 1:
      return 'PASID-selective invalidation';
    case 3:
      return 'global invalidation';
    case undefined:
    default:
      return 'invalidation';
  }
}

function rejectText(reason: number): string {
  switch (reason) {
    case RejectReason.PasidDescIn128BitQueue:
      return 'A PASID-cache descriptor is 256 bits wide, but the invalidation queue is in 128-bit mode: QEMU rejects it ("256-bit pasid cache inv desc in 128-bit invalidation queue").';
    case RejectReason.PasidDescReservedBits:
      return 'The PASID-cache descriptor has reserved bits set (val[0] & 0xfff000000000f1c0, or any bit of val[1..3]): QEMU rejects it.';
    case RejectReason.PasidDescGranularity2:
      return 'Granularity 2 is reserved for PASID-cache descriptors: QEMU rejects it ("invalid granularity field").';
    case RejectReason.WaitDescReservedBits:
      return 'The wait descriptor has reserved bits set: QEMU rejects it.';
    case RejectReason.WaitDescNoAction:
      return 'The wait descriptor asks for nothing (none of IF, SW, FN): QEMU rejects it ("invalid wait desc").';
    case RejectReason.WaitStatusWriteFailed:
      return 'The wait descriptor’s status write lands outside guest RAM: the DMA write fails and QEMU rejects it.';
    case RejectReason.ContextDescReservedBits:
      return 'The context-cache descriptor has reserved bits set: QEMU rejects it.';
    case RejectReason.ContextDescGranularity0:
      return 'Context-cache granularity 0 is reserved: QEMU rejects the descriptor.';
    case RejectReason.OtherDescInvalid:
      return 'QEMU’s own checks reject this descriptor.';
    case RejectReason.OtherDescIn128BitQueue:
      return 'A PASID-IOTLB or PASID device-TLB descriptor is 256 bits wide, but the queue is in 128-bit mode: QEMU rejects it.';
    case RejectReason.OtherDescReservedBits:
      return 'The descriptor has reserved bits set: QEMU rejects it.';
    case RejectReason.OtherDescGranularity:
      return 'The descriptor’s granularity is reserved for its type: QEMU rejects it.';
    case RejectReason.OtherDescAddressMask:
      return 'The page invalidation’s address mask is above 18 (VTD_MAMV): QEMU rejects it.';
    case RejectReason.PageResponseWithoutPasid:
      return 'A page-group response without a PASID: QEMU does not support it and rejects it.';
    default:
      return 'QEMU does not know this descriptor type and rejects it.';
  }
}

function gateText(reason: number): string {
  switch (reason) {
    case GateReason.NotRootScalable:
      return 'Nothing to do: the root table is not in scalable mode (RTADDR.SMT not latched, or scalable-mode off), so vtd_pasid_cache_sync returns at once — the accel sync is skipped too.';
    case GateReason.DmarDisabled:
      return 'Nothing to do: DMA remapping is off (GCMD.TE = 0), so vtd_pasid_cache_sync returns at once — the accel sync is skipped too. Cached entries stay as they are.';
    case GateReason.FstsOff:
      return 'The accel sync returns at once: fsts is off, so QEMU keeps no VTDAccelPASIDCacheEntry lists.';
    default:
      return 'The sync returns early.';
  }
}

function structureName(s: number): string {
  switch (s) {
    case Structure.RootEntry:
      return 'root entry';
    case Structure.ContextEntry:
      return 'context entry';
    case Structure.PasidDirEntry:
      return 'PASID directory entry';
    case Structure.PasidEntry:
      return 'PASID table entry';
    case Structure.WaitStatus:
      return 'wait status';
    default:
      return 'structure';
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function bdfOf(trace: Trace, d: number): string {
  return trace.devices[d] ?? `device ${d.toString()}`;
}

/** "the directory entry for PASIDs 0x40–0x7f is present" */
function dirPresentClause(pasid: number): string {
  const lo = pasid & ~0x3f;
  return `the directory entry for PASIDs ${pasidRange(lo, lo + 63)} is present`;
}

function leafSentence(
  index: TraceIndex,
  ctx: EventContext,
  e: number,
  opts: ExplainOptions,
): { sentence: string; details: string[] } {
  const { trace } = index;
  const p = trace.pasid[e] ?? 0;
  const n = Math.max(1, trace.count[e] ?? 1);
  const a = trace.a[e] ?? 0;
  const memDid = trace.b[e] ?? 0;
  const compares = trace.c[e] ?? 0;
  const d = trace.device[e] ?? -1;
  const bdf = bdfOf(trace, d);
  const sync = ctx.sync;
  const filtered = sync !== undefined && sync.type !== 3;
  const who = n === 1 ? `PASID ${hex(p)}` : `PASIDs ${pasidRange(p, p + n - 1)} (${count(n)})`;
  const dir = dirPresentClause(p);
  const details: string[] = [];
  const series = opts.scenario ? opts.scenario.variant !== 'seed' : undefined;
  const didClause = filtered
    ? `, DID ${memDid.toString()} = ${sync.did.toString()} requested by the ${granularityNoun(sync)}`
    : '';
  switch (a) {
    case LeafOutcome.FetchError:
      return {
        sentence: `${who}: ${dir}, but reading the leaf entry fails (${faultText(0x58)}: beyond guest RAM) → skipped.`,
        details,
      };
    case LeafOutcome.EntryInvalid: {
      let why = 'its PGTT or paging level is not accepted';
      const addr = trace.addr[e];
      if (opts.memoryAt && opts.scenario && n === 1 && addr !== undefined) {
        const pgtt = Number((opts.memoryAt(ctx.step).readQword(addr) >> 6n) & 7n);
        const fsts = opts.scenario.iommu.fsts;
        const accepted = pgtt === 4 || pgtt === (fsts ? 1 : 2);
        const name = `PGTT ${pgtt.toString()} (${PGTT_NAMES[pgtt] ?? '?'})`;
        why = accepted
          ? `${name} is accepted, but its paging level is not (AW / FSPM)`
          : `${name} is not accepted with fsts ${fsts ? 'on' : 'off'}`;
      }
      return {
        sentence: `${who}: ${dir}, but vtd_get_pe_in_pasid_leaf_table rejects the leaf entry (${faultText(0x5b)}: ${why}) → skipped. QEMU makes this check before looking at the present bit.`,
        details,
      };
    }
    case LeafOutcome.NotPresent:
      return {
        sentence: `${who}: ${dir}, the leaf ${n === 1 ? 'entry is' : 'entries are'} not present → skipped.`,
        details,
      };
    case LeafOutcome.DidMismatch:
      return {
        sentence: `${who}: ${dir}, the leaf entry is present, DID ${memDid.toString()} ≠ ${(sync?.did ?? 0).toString()} requested by the ${granularityNoun(sync)} → skipped.`,
        details: [
          'Addition and update filter on the DID in guest memory; the series’ removal pass filters on the cached DID.',
        ],
      };
    case LeafOutcome.Created:
      if (series) details.push('The series then attaches the PASID to its host HWPT (iommufd).');
      return {
        sentence: `${who}: ${dir}, the leaf entry is present${didClause}; it is not in ${bdf}'s list (QEMU compared ${plural(compares, 'entry', 'entries')}) → a new VTDAccelPASIDCacheEntry is inserted at the list head.`,
        details,
      };
    case LeafOutcome.Updated: {
      if (opts.memoryAt && d >= 0) {
        const prev = previousWordsEvent(index, d, p, e);
        if (prev !== undefined) {
          const diff = entryDiff(
            entryWordsAt(trace, opts.memoryAt, prev),
            entryWordsAt(trace, opts.memoryAt, e),
          );
          if (diff.length > 0) details.push(`Changed: ${diff.join('; ')}.`);
        }
      }
      if (series) details.push('The series re-attaches the PASID to its host HWPT.');
      return {
        sentence: `${who}: ${dir}, the leaf entry is present${didClause}; it is in ${bdf}'s list (found after ${plural(compares, 'compare')}) but its 512-bit entry differs from memory → the cached copy is overwritten.`,
        details,
      };
    }
    case LeafOutcome.Unchanged:
      return {
        sentence: `${who}: ${dir}, the leaf entry is present${didClause}; it is in ${bdf}'s list (found after ${plural(compares, 'compare')}) and equals memory → nothing changes.`,
        details,
      };
    default:
      return { sentence: `${who}: leaf entry checked.`, details };
  }
}

function dirSentence(
  index: TraceIndex,
  ctx: EventContext,
  e: number,
  opts: ExplainOptions,
): string {
  const { trace } = index;
  const p = trace.pasid[e] ?? 0;
  const n = Math.max(1, trace.count[e] ?? 1);
  const end = trace.b[e] ?? p + 64;
  const a = trace.a[e] ?? 0;
  const dir0 = p >>> 6;
  const dirs =
    n === 1
      ? `Directory entry ${count(dir0)}`
      : `Directory entries ${count(dir0)}–${count(dir0 + n - 1)}`;
  const pas = `PASIDs ${pasidRange(p, Math.max(p, end - 1))}`;
  const addr = trace.addr[e];
  const at = addr !== undefined ? ` at ${hex(addr)}` : '';
  switch (a) {
    case DirOutcome.Present: {
      let table = '';
      if (opts.memoryAt && addr !== undefined) {
        const w = opts.memoryAt(ctx.step).readQword(addr);
        table = ` at ${hex(w & ~0xfffn)}`;
      }
      return `${dirs}${at} (${pas}) is present → QEMU walks its leaf table${table}, one 64-byte entry per PASID.`;
    }
    case DirOutcome.NotPresent:
      return n === 1
        ? `${dirs}${at} (${pas}) is not present → the chunk of ${count(end - p)} PASIDs is skipped without reading a leaf entry.`
        : `${dirs} (${pas}) are not present → ${plural(n, 'chunk')} of up to 64 PASIDs skipped without reading a leaf entry (one directory read each).`;
    default:
      return `Reading ${n === 1 ? dirs.toLowerCase() : dirs.toLowerCase()}${at} fails (${faultText(trace.c[e] || 0x50)}) → ${n === 1 ? 'the chunk is' : 'the chunks are'} skipped (${pas}).`;
  }
}

export function explainStep(
  index: TraceIndex,
  cursor: number,
  opts: ExplainOptions = {},
): Explanation {
  const { trace } = index;
  if (trace.length === 0) {
    return { position: 'No events', where: '', sentence: 'This run has no events.', details: [] };
  }
  const e = Math.max(0, Math.min(cursor, trace.length - 1));
  const ctx = eventContext(index, e);
  const k = trace.kind[e] ?? 0;
  const fn = (trace.fn[e] ?? 0) as QemuFn;
  const info = QEMU_FUNCTIONS[fn];
  const a = trace.a[e] ?? 0;
  const b = trace.b[e] ?? 0;
  const c = trace.c[e] ?? 0;
  const p = trace.pasid[e] ?? 0;
  const d = trace.device[e] ?? -1;
  const bdf = bdfOf(trace, d);
  const details: string[] = [];
  const step = opts.scenario?.steps[ctx.step];
  if (step?.note) details.push(`Scenario note: ${step.note}`);
  const series = opts.scenario ? opts.scenario.variant !== 'seed' : false;
  let sentence: string;

  switch (k) {
    case TraceKind.StepWrite:
      sentence = `The guest writes ${plural(trace.count[e] ?? 0, 'qword')} at ${hex(trace.addr[e] ?? 0n)}. QEMU notices nothing until the guest queues an invalidation.`;
      break;
    case TraceKind.StepClearIqe:
      sentence =
        'The guest clears FSTS.IQE: the invalidation queue runs again from the next descriptor (those dropped while blocked are not replayed).';
      break;
    case TraceKind.DescFetched:
      sentence = `QEMU fetches ${article(descTypeName(a))} descriptor from the ${b.toString()}-bit invalidation queue.`;
      break;
    case TraceKind.DescRejected:
      sentence = `${rejectText(a)} FSTS.IQE is set and the queue stops here until the guest clears it.`;
      break;
    case TraceKind.DescBlocked:
      sentence =
        'FSTS.IQE is still set from an earlier error: QEMU does not process this descriptor. It stays blocked until the guest clears IQE.';
      break;
    case TraceKind.DescNoEffect:
      sentence = `${capitalize(article(descTypeName(a)))} descriptor: QEMU checks it, but it touches no PASID cache.`;
      break;
    case TraceKind.PcInfoBuilt: {
      const pc = { event: e, type: a, did: b, pasid: p };
      sentence = `Granularity ${a.toString()}: QEMU builds its VTDPASIDCacheInfo for a ${pcInfoText(pc)} invalidation.`;
      if (a === 0)
        details.push('Domain-selective: the PASID field is not copied (pc_info.pasid stays 0).');
      if (a === 3)
        details.push('Global: no DID or PASID filter; every address space and device is synced.');
      break;
    }
    case TraceKind.WaitStatusWrite:
      sentence = `The wait descriptor writes status ${hex(a)} to ${hex(trace.addr[e] ?? 0n)}: the guest sees its batch of invalidations completed.`;
      break;
    case TraceKind.ContextCacheInv:
      sentence =
        a === 3
          ? `Context-cache device-selective invalidation (source-id ${hex(b)}, function mask ${c.toString()}): QEMU refreshes the emulated PASID cache of the matching devices only; the accel lists are not touched.`
          : `Context-cache ${a === 1 ? 'global' : `domain-selective (DID ${b.toString()})`} invalidation: QEMU replays every PASID binding — a global PASID-cache sync${a === 2 ? ' (a domain-selective one is handled as global)' : ''}.`;
      break;
    case TraceKind.ReplayBegin:
      sentence =
        'vtd_replay_pasid_bindings_all: a global PASID-cache sync over every address space and every iommufd device.';
      break;
    case TraceKind.SyncBegin:
      sentence = ctx.sync
        ? `vtd_pasid_cache_sync runs with a ${pcInfoText(ctx.sync)} VTDPASIDCacheInfo: first the emulated cache of each address space, then the accel list of each iommufd device.`
        : 'The PASID-cache sync starts.';
      break;
    case TraceKind.SyncGated:
      sentence = gateText(a);
      break;
    case TraceKind.GuestRead:
      sentence = `QEMU reads the ${structureName(a)} at ${hex(trace.addr[e] ?? 0n)} (${plural(b, 'byte')})${d >= 0 ? ` for ${bdf}${p ? `, PASID ${hex(p)}` : ''}` : ''}${c ? `: the read fails (${faultText(c)})` : ''}.`;
      break;
    case TraceKind.LookupResult:
      sentence =
        a === 0
          ? `Looking up PASID ${hex(p)} of ${bdf} in guest memory: the entry is valid.`
          : `Looking up PASID ${hex(p)} of ${bdf} in guest memory fails: ${faultText(a)}.`;
      if (a >= 0x50 && a <= 0x5b && fn === QemuFn.vtd_dev_to_context_entry) {
        details.push(
          'This is the PASID-0 check: in scalable mode a device whose PASID-0 entry is invalid has no usable context entry at all.',
        );
      }
      break;
    case TraceKind.EmuSkip:
      sentence =
        a === EmuSkipReason.LookupFailedNotCached
          ? `Address space PASID ${hex(p)} of ${bdf}: the lookup failed and its cached entry is already invalid → nothing to do.`
          : a === EmuSkipReason.PasidFilter
            ? `Address space PASID ${hex(p)} of ${bdf}: the PASID-selective invalidation is for PASID ${hex(ctx.sync?.pasid ?? 0)} → skipped.`
            : `Address space PASID ${hex(p)} of ${bdf}: DID ${b.toString()} (the cached entry's if valid, else memory's) ≠ ${(ctx.sync?.did ?? 0).toString()} requested by the ${granularityNoun(ctx.sync)} → skipped.`;
      break;
    case TraceKind.EmuCreated:
      sentence =
        b === 1
          ? `Address space PASID ${hex(p)} of ${bdf}: the series fall-through — after the removal there is no return, so the failed lookup's buffer${trace.addr[e] === undefined || trace.addr[e] === 0xffff_ffff_ffff_ffffn ? ' (all zero)' : ''} passes the filter and is stored as a valid entry again.`
          : `Address space PASID ${hex(p)} of ${bdf}: its VTDPASIDCacheEntry becomes valid with the entry from memory; QEMU switches the address space and syncs its mappings.`;
      if (b === 1)
        details.push(
          'A regression of the series as applied (see semantics): removed, then "re-created" in the same sync.',
        );
      break;
    case TraceKind.EmuRemoved:
      sentence = `Address space PASID ${hex(p)} of ${bdf}: the lookup failed (${faultText(c)}) → the cached entry is invalidated, notifiers unmapped, the address space switched. Removal ignores the DID / PASID filter.`;
      break;
    case TraceKind.EmuUnchanged:
      sentence = `Address space PASID ${hex(p)} of ${bdf}: the cached copy equals memory → nothing to do.`;
      break;
    case TraceKind.EmuDiffers:
      sentence = `Address space PASID ${hex(p)} of ${bdf}: memory differs from the cached copy → QEMU switches and syncs the address space but does NOT overwrite the copy, so every later sync repeats this.`;
      break;
    case TraceKind.AccelDeviceBegin:
      sentence = `The accel sync turns to ${bdf} (iommufd): ${series ? 'first the removal pass over its list, then the replay walk of its PASID directory' : 'the replay walk of its PASID directory'}.`;
      break;
    case TraceKind.AccelDeviceSkipped:
      sentence = `vtd_dev_to_context_entry fails for ${bdf} (${faultText(a)}): the device is silently skipped.`;
      if (a >= 0x50) {
        details.push(
          'Scalable mode checks the PASID-0 entry as part of the context lookup: an invalid PASID-0 entry hides every PASID of the device.',
        );
      }
      break;
    case TraceKind.AccelRemovalCheck: {
      const n = Math.max(1, trace.count[e] ?? 1);
      // A run of list entries (in list order, from the head) that end the same way.
      const who =
        n === 1
          ? `PASID ${hex(p)}`
          : `${count(n)} cached entries in list order, from PASID ${hex(p)} on,`;
      sentence =
        a === RemovalOutcome.PasidFilter
          ? `Removal pass on ${bdf}: ${who} ${n === 1 ? 'is' : 'are'} not the invalidated PASID ${hex(ctx.sync?.pasid ?? 0)} → kept.`
          : a === RemovalOutcome.DidFilter
            ? `Removal pass on ${bdf}: ${who} ${n === 1 ? `has cached DID ${b.toString()}` : 'have cached DIDs'} ≠ ${(ctx.sync?.did ?? 0).toString()} → kept (removal filters on the cached DID).`
            : a === RemovalOutcome.StillValid
              ? `Removal pass on ${bdf}: ${who} still ${n === 1 ? 'looks' : 'look'} valid in guest memory → kept (even if changed: the walk will update ${n === 1 ? 'it' : 'them'}).`
              : `Removal pass on ${bdf}: PASID ${hex(p)} is no longer valid in guest memory (${faultText(c)}) → vtd_accel_delete_pc removes it.`;
      break;
    }
    case TraceKind.AccelBypass:
      sentence = `accel_pce_deleted was set by the PASID-selective removal: the replay walk for ${bdf} is skipped and the flag cleared.`;
      break;
    case TraceKind.AccelRemoved:
      sentence = `PASID ${hex(p)} (cached DID ${a.toString()}) leaves ${bdf}'s list: detached from its host HWPT and freed.`;
      if (ctx.sync?.type === 1)
        details.push(
          'PASID-selective: accel_pce_deleted is set, so this device skips the replay walk.',
        );
      break;
    case TraceKind.RangeInit:
      sentence =
        a === RangeReason.PasidSelective
          ? `PASID-selective: the walk covers PASID ${hex(p)} only — [${hex(p)}, ${hex(b)}); pasid-bits is not applied.`
          : `The walk starts from [0, ${powerOfTwo(b)}): 1 << pasid-bits (pasid-bits = ${c.toString()}).`;
      break;
    case TraceKind.RangeClamp: {
      const dev = 2 ** a;
      const pd = pdtsLimit(b);
      const end0 = ctx.rangeInit ? hex(ctx.rangeInit.end) : 'end';
      sentence =
        c <= p
          ? `${bdf}: end = MIN(${end0}, 1 << max_pasid_log2 = ${count(dev)}, 2^(PDTS ${b.toString()} + 7) × 64 = ${count(pd)}) = ${hex(c)}, not above the start ${hex(p)} → nothing to walk.`
          : `${bdf}: end = MIN(${end0}, 1 << max_pasid_log2 = ${count(dev)}, 2^(PDTS ${b.toString()} + 7) × 64 = ${count(pd)}) → the walk covers [${hex(p)}, ${hex(c)}): ${plural(c - p, 'PASID')} in ${plural(Math.ceil(c / 64) - Math.floor(p / 64), 'directory entry', 'directory entries')}.`;
      if (opts.scenario && opts.memoryAt && d >= 0) {
        const dev0 = opts.scenario.devices.find((x) => x.bdf === bdf);
        if (dev0) {
          const cv = readContext(opts.scenario.iommu, dev0, opts.memoryAt(ctx.step));
          if (cv.present)
            details.push(
              `PASID directory at ${hex(cv.dirBase)} (PDTS ${cv.pdts.toString()}: ${count(cv.dirEntries)} entries).`,
            );
        }
      }
      break;
    }
    case TraceKind.DirChecked:
      sentence = dirSentence(index, ctx, e, opts);
      break;
    case TraceKind.LeafChecked: {
      const r = leafSentence(index, ctx, e, opts);
      sentence = r.sentence;
      details.push(...r.details);
      if (
        opts.memoryAt &&
        opts.scenario &&
        trace.a[e] === LeafOutcome.NotPresent &&
        (trace.count[e] ?? 1) === 1
      ) {
        const addr = trace.addr[e];
        if (addr !== undefined) {
          const leaf = readLeaf(opts.memoryAt(ctx.step), addr & ~0xfffn, p);
          if (leaf.did)
            details.push(
              `The entry still holds DID ${leaf.did.toString()}: only its present bit is clear.`,
            );
        }
      }
      break;
    }
    default:
      sentence = `Event kind ${k.toString()}.`;
  }

  const steps = stepCount(trace);
  return {
    position: `Step ${(ctx.step + 1).toString()} of ${steps.toString()} · event ${count(e + 1)} of ${count(trace.length)}`,
    where: info.file ? `${info.name} (${info.file})` : 'the guest',
    sentence,
    details,
  };
}
