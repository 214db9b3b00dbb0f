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
  PcType,
  QemuFn,
  assertUnreachable,
  eventDevice,
  readTraceEvent,
  type Scenario,
  type Trace,
  type TraceEventOf,
} from '../../model/core.ts';
import { eventContext, type EventContext, type PcInfoFrame } from '../trace/eventContext.ts';
import { stepCount, type TraceIndex } from '../trace/traceIndex.ts';
import { article, count, faultText, hex, pasidRange, plural, powerOfTwo } from '../format.ts';
import { entryWordsAt, previousWordsEvent, type MemoryAtStep } from '../walk/cacheReplay.ts';
import { entryDiff } from '../walk/entryDiff.ts';
import { readContext, readLeaf } from '../walk/guestStructures.ts';
import { pdtsLimit } from '../walk/rangeBar.ts';
import { hostCallSentence } from './hostCallText.ts';

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
    case PcType.DomainSelective:
      return `domain-selective (DSI) for DID ${pc.did.toString()}`;
    case PcType.PasidSelective:
      return `PASID-selective (PASID-SI) for DID ${pc.did.toString()}, PASID ${hex(pc.pasid)}`;
    case PcType.Global:
      return 'global';
    default:
      return `type ${String(pc.type)}`;
  }
}

function granularityNoun(pc: PcInfoFrame | undefined): string {
  switch (pc?.type) {
    case PcType.DomainSelective:
      return 'domain-selective invalidation';
    case PcType.PasidSelective:
      return 'PASID-selective invalidation';
    case PcType.Global:
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
  ev: TraceEventOf<'LeafChecked'>,
  opts: ExplainOptions,
): { sentence: string; details: string[] } {
  const { trace } = index;
  const e = ev.index;
  const p = ev.firstPasid;
  const n = Math.max(1, ev.count);
  const memDid = ev.did;
  const compares = ev.listCompares;
  // A fill run: entry k made compares + k (creations) or compares - k (found entries).
  const lastCompares =
    ev.outcome === LeafOutcome.Created ? compares + n - 1 : Math.max(0, compares - n + 1);
  const searched =
    n === 1
      ? ''
      : `${count(compares)}…${count(lastCompares)}, ${count(ev.listComparesTotal)} in all`;
  const d = ev.device;
  const bdf = bdfOf(trace, d);
  const sync = ctx.sync;
  const filtered = sync !== undefined && sync.type !== PcType.Global;
  const who = n === 1 ? `PASID ${hex(p)}` : `PASIDs ${pasidRange(p, p + n - 1)} (${count(n)})`;
  const dir = dirPresentClause(p);
  const details: string[] = [];
  const series = opts.scenario ? opts.scenario.variant !== 'seed' : undefined;
  const didClause = filtered
    ? `, DID ${memDid.toString()} = ${sync.did.toString()} requested by the ${granularityNoun(sync)}`
    : '';
  switch (ev.outcome) {
    case LeafOutcome.FetchError:
      return {
        sentence: `${who}: ${dir}, but reading the leaf entry fails (${faultText(0x58)}: beyond guest RAM) → skipped.`,
        details,
      };
    case LeafOutcome.EntryInvalid: {
      let why = 'its PGTT or paging level is not accepted';
      const addr = ev.addr;
      if (opts.memoryAt && opts.scenario && n === 1) {
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
        sentence: `${who}: ${dir}, the leaf entry is present${didClause}; ${n === 1 ? `it is not in ${bdf}'s list (QEMU compared ${plural(compares, 'entry', 'entries')}) → a new VTDAccelPASIDCacheEntry is inserted at the list head` : `none is in ${bdf}'s list (QEMU compared ${searched}) → each gets a new VTDAccelPASIDCacheEntry at the list head, in PASID order`}.`,
        details,
      };
    case LeafOutcome.Updated: {
      if (opts.memoryAt && d >= 0) {
        const prev = previousWordsEvent(index, d, p, e);
        if (prev !== undefined) {
          const diff = entryDiff(
            entryWordsAt(trace, opts.memoryAt, prev, p),
            entryWordsAt(trace, opts.memoryAt, e, p),
          );
          if (diff.length > 0) details.push(`Changed: ${diff.join('; ')}.`);
        }
      }
      if (series) details.push('The series re-attaches the PASID to its host HWPT.');
      return {
        sentence: `${who}: ${dir}, the leaf entry is present${didClause}; ${n === 1 ? `it is in ${bdf}'s list (found after ${plural(compares, 'compare')}) but its 512-bit entry differs from memory → the cached copy is overwritten` : `each is in ${bdf}'s list (found after ${searched} compares) but differs from memory → the cached copies are overwritten`}.`,
        details,
      };
    }
    case LeafOutcome.Unchanged:
      return {
        sentence: `${who}: ${dir}, the leaf entry is present${didClause}; ${n === 1 ? `it is in ${bdf}'s list (found after ${plural(compares, 'compare')}) and equals memory → nothing changes` : `each is in ${bdf}'s list (found after ${searched} compares) and equals memory → nothing changes`}.`,
        details,
      };
    default:
      return assertUnreachable(ev.outcome, 'leaf outcome');
  }
}

function dirSentence(
  ctx: EventContext,
  ev: TraceEventOf<'DirChecked'>,
  opts: ExplainOptions,
): string {
  const p = ev.firstPasid;
  const n = Math.max(1, ev.chunks);
  const end = ev.end;
  const dir0 = p >>> 6;
  const dirs =
    n === 1
      ? `Directory entry ${count(dir0)}`
      : `Directory entries ${count(dir0)}–${count(dir0 + n - 1)}`;
  const pas = `PASIDs ${pasidRange(p, Math.max(p, end - 1))}`;
  const addr = ev.addr;
  const at = ` at ${hex(addr)}`;
  switch (ev.outcome) {
    case DirOutcome.Present: {
      let table = '';
      if (opts.memoryAt) {
        const w = opts.memoryAt(ctx.step).readQword(addr);
        table = ` at ${hex(w & ~0xfffn)}`;
      }
      return `${dirs}${at} (${pas}) is present → QEMU walks its leaf table${table}, one 64-byte entry per PASID.`;
    }
    case DirOutcome.NotPresent:
      return n === 1
        ? `${dirs}${at} (${pas}) is not present → the chunk of ${count(end - p)} PASIDs is skipped without reading a leaf entry.`
        : `${dirs} (${pas}) are not present → ${plural(n, 'chunk')} of up to 64 PASIDs skipped without reading a leaf entry (one directory read each).`;
    case DirOutcome.ReadFailed:
      return `Reading ${dirs.toLowerCase()}${at} fails (${faultText(ev.fault || 0x50)}) → ${n === 1 ? 'the chunk is' : 'the chunks are'} skipped (${pas}).`;
    default:
      return assertUnreachable(ev.outcome, 'directory outcome');
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
  const ev = readTraceEvent(trace, e);
  const info = QEMU_FUNCTIONS[ev.fn];
  const bdf = bdfOf(trace, eventDevice(trace, e));
  const details: string[] = [];
  const step = opts.scenario?.steps[ctx.step];
  if (step?.note) details.push(`Scenario note: ${step.note}`);
  const series = opts.scenario ? opts.scenario.variant !== 'seed' : false;
  let sentence: string;

  switch (ev.kind) {
    case 'StepWrite':
      sentence = `The guest writes ${plural(ev.qwords, 'qword')} at ${hex(ev.addr)}. QEMU notices nothing until the guest queues an invalidation.`;
      break;
    case 'StepClearIqe':
      sentence =
        'The guest clears FSTS.IQE: the invalidation queue runs again from the next descriptor (those dropped while blocked are not replayed).';
      break;
    case 'DescFetched':
      sentence = `QEMU fetches ${article(descTypeName(ev.typeCode))} descriptor from the ${ev.queueWidth.toString()}-bit invalidation queue.`;
      break;
    case 'DescRejected':
      sentence = `${rejectText(ev.reason)} FSTS.IQE is set and the queue stops here until the guest clears it.`;
      break;
    case 'DescBlocked':
      sentence =
        'FSTS.IQE is still set from an earlier error: QEMU does not process this descriptor. It stays blocked until the guest clears IQE.';
      break;
    case 'DescNoEffect':
      sentence =
        ev.typeCode === 6
          ? 'A PASID-IOTLB invalidation: no PASID cache changes; vtd_flush_host_piotlb_all_locked forwards it to the host hwpt of every cached first-stage entry with its DID and PASID.'
          : `${capitalize(article(descTypeName(ev.typeCode)))} descriptor: QEMU checks it, but it touches no PASID cache.`;
      break;
    case 'PcInfoBuilt': {
      const pc = { event: e, type: ev.pcType, did: ev.did, pasid: ev.pasid };
      sentence = `Granularity ${ev.pcType.toString()}: QEMU builds its VTDPASIDCacheInfo for a ${pcInfoText(pc)} invalidation.`;
      if (ev.pcType === PcType.DomainSelective)
        details.push('Domain-selective: the PASID field is not copied (pc_info.pasid stays 0).');
      if (ev.pcType === PcType.Global)
        details.push('Global: no DID or PASID filter; every address space and device is synced.');
      break;
    }
    case 'WaitStatusWrite':
      sentence = `The wait descriptor writes status ${hex(ev.data)} to ${hex(ev.addr)}: the guest sees its batch of invalidations completed.`;
      break;
    case 'ContextCacheInv': {
      const g = ev.granularity;
      const didOrSid = ev.didOrSourceId;
      sentence =
        g === 3
          ? `Context-cache device-selective invalidation (source-id ${hex(didOrSid)}, function mask ${ev.functionMask.toString()}): QEMU refreshes the emulated PASID cache of the matching devices only; the accel lists are not touched.`
          : `Context-cache ${g === 1 ? 'global' : `domain-selective (DID ${didOrSid.toString()})`} invalidation: QEMU replays every PASID binding — a global PASID-cache sync${g === 2 ? ' (a domain-selective one is handled as global)' : ''}.`;
      break;
    }
    case 'ReplayBegin':
      sentence =
        'vtd_replay_pasid_bindings_all: a global PASID-cache sync over every address space and every iommufd device.';
      break;
    case 'SyncBegin':
      sentence = ctx.sync
        ? `vtd_pasid_cache_sync runs with a ${pcInfoText(ctx.sync)} VTDPASIDCacheInfo: first the emulated cache of each address space, then the accel list of each iommufd device.`
        : 'The PASID-cache sync starts.';
      break;
    case 'SyncGated':
      sentence = gateText(ev.reason);
      break;
    case 'GuestRead':
      sentence = `QEMU reads the ${structureName(ev.structure)} at ${hex(ev.addr)} (${plural(ev.bytes, 'byte')})${ev.device >= 0 ? ` for ${bdf}${ev.pasid ? `, PASID ${hex(ev.pasid)}` : ''}` : ''}${ev.fault ? `: the read fails (${faultText(ev.fault)})` : ''}.`;
      break;
    case 'LookupResult':
      sentence =
        ev.fault === 0
          ? `Looking up PASID ${hex(ev.pasid)} of ${bdf} in guest memory: the entry is valid.`
          : `Looking up PASID ${hex(ev.pasid)} of ${bdf} in guest memory fails: ${faultText(ev.fault)}.`;
      if (ev.fault >= 0x50 && ev.fault <= 0x5b && ev.fn === QemuFn.vtd_dev_to_context_entry) {
        details.push(
          'This is the PASID-0 check: in scalable mode a device whose PASID-0 entry is invalid has no usable context entry at all.',
        );
      }
      break;
    case 'EmuSkip': {
      const p = ev.pasid;
      sentence =
        ev.reason === EmuSkipReason.LookupFailedNotCached
          ? `Address space PASID ${hex(p)} of ${bdf}: the lookup failed and its cached entry is already invalid → nothing to do.`
          : ev.reason === EmuSkipReason.PasidFilter
            ? `Address space PASID ${hex(p)} of ${bdf}: the PASID-selective invalidation is for PASID ${hex(ctx.sync?.pasid ?? 0)} → skipped.`
            : `Address space PASID ${hex(p)} of ${bdf}: DID ${ev.did.toString()} (the cached entry's if valid, else memory's) ≠ ${(ctx.sync?.did ?? 0).toString()} requested by the ${granularityNoun(ctx.sync)} → skipped.`;
      break;
    }
    case 'EmuCreated':
      sentence = ev.fallThrough
        ? `Address space PASID ${hex(ev.pasid)} of ${bdf}: the series fall-through — after the removal there is no return, so the failed lookup's buffer${ev.source === undefined ? ' (all zero)' : ''} passes the filter and is stored as a valid entry again.`
        : `Address space PASID ${hex(ev.pasid)} of ${bdf}: its VTDPASIDCacheEntry becomes valid with the entry from memory; QEMU switches the address space and syncs its mappings.`;
      if (ev.fallThrough)
        details.push(
          'A regression of the series as applied (see semantics): removed, then "re-created" in the same sync.',
        );
      break;
    case 'EmuRemoved':
      sentence = `Address space PASID ${hex(ev.pasid)} of ${bdf}: the lookup failed (${faultText(ev.fault)}) → the cached entry is invalidated, notifiers unmapped, the address space switched. Removal ignores the DID / PASID filter.`;
      break;
    case 'EmuUnchanged':
      sentence = `Address space PASID ${hex(ev.pasid)} of ${bdf}: the cached copy equals memory → nothing to do.`;
      break;
    case 'EmuDiffers':
      sentence = `Address space PASID ${hex(ev.pasid)} of ${bdf}: memory differs from the cached copy → QEMU switches and syncs the address space but does NOT overwrite the copy, so every later sync repeats this.`;
      break;
    case 'AccelDeviceBegin':
      sentence = `The accel sync turns to ${bdf} (iommufd): ${series ? 'first the removal pass over its list, then the replay walk of its PASID directory' : 'the replay walk of its PASID directory'}.`;
      break;
    case 'AccelDeviceSkipped':
      sentence = `vtd_dev_to_context_entry fails for ${bdf} (${faultText(ev.fault)}): the device is silently skipped.`;
      if (ev.fault >= 0x50) {
        details.push(
          'Scalable mode checks the PASID-0 entry as part of the context lookup: an invalid PASID-0 entry hides every PASID of the device.',
        );
      }
      break;
    case 'AccelRemovalCheck':
      sentence = removalSentence(ev, bdf, ctx);
      break;
    case 'AccelBypass':
      sentence = `accel_pce_deleted was set by the PASID-selective removal: the replay walk for ${bdf} is skipped and the flag cleared.`;
      break;
    case 'HostCall': {
      const r = hostCallSentence(ev, bdf);
      sentence = r.sentence;
      details.push(...r.details);
      break;
    }
    case 'AccelRemoved':
      sentence = `PASID ${hex(ev.pasid)} (cached DID ${ev.did.toString()}) leaves ${bdf}'s list: it was detached from its host hwpt first (the detach's result does not matter), now it is freed.`;
      if (ctx.sync?.type === PcType.PasidSelective)
        details.push(
          'PASID-selective: accel_pce_deleted is set, so this device skips the replay walk.',
        );
      break;
    case 'RangeInit':
      sentence =
        ev.reason === RangeReason.PasidSelective
          ? `PASID-selective: the walk covers PASID ${hex(ev.start)} only — [${hex(ev.start)}, ${hex(ev.end)}); pasid-bits is not applied.`
          : `The walk starts from [0, ${powerOfTwo(ev.end)}): 1 << pasid-bits (pasid-bits = ${ev.pasidBits.toString()}).`;
      break;
    case 'RangeClamp': {
      sentence = clampSentence(ev, bdf, ctx);
      if (opts.scenario && opts.memoryAt && ev.device >= 0) {
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
    case 'DirChecked':
      sentence = dirSentence(ctx, ev, opts);
      break;
    case 'LeafChecked': {
      const r = leafSentence(index, ctx, ev, opts);
      sentence = r.sentence;
      details.push(...r.details);
      if (
        opts.memoryAt &&
        opts.scenario &&
        ev.outcome === LeafOutcome.NotPresent &&
        ev.count === 1
      ) {
        const leaf = readLeaf(opts.memoryAt(ctx.step), ev.addr & ~0xfffn, ev.firstPasid);
        if (leaf.did)
          details.push(
            `The entry still holds DID ${leaf.did.toString()}: only its present bit is clear.`,
          );
      }
      break;
    }
    default:
      return assertUnreachable(ev, 'trace event');
  }

  const steps = stepCount(trace);
  return {
    position: `Step ${(ctx.step + 1).toString()} of ${steps.toString()} · event ${count(e + 1)} of ${count(trace.length)}`,
    where: info.file ? `${info.name} (${info.file})` : 'the guest',
    sentence,
    details,
  };
}

/** A run of list entries (in list order, from the head) that end the same way. */
function removalSentence(
  ev: TraceEventOf<'AccelRemovalCheck'>,
  bdf: string,
  ctx: EventContext,
): string {
  const n = Math.max(1, ev.count);
  const p = ev.pasid;
  const who =
    n === 1
      ? `PASID ${hex(p)}`
      : `${count(n)} cached entries in list order, from PASID ${hex(p)} on,`;
  switch (ev.outcome) {
    case RemovalOutcome.PasidFilter:
      return `Removal pass on ${bdf}: ${who} ${n === 1 ? 'is' : 'are'} not the invalidated PASID ${hex(ctx.sync?.pasid ?? 0)} → kept.`;
    case RemovalOutcome.DidFilter:
      return `Removal pass on ${bdf}: ${who} ${n === 1 ? `has cached DID ${ev.cachedDid.toString()}` : 'have cached DIDs'} ≠ ${(ctx.sync?.did ?? 0).toString()} → kept (removal filters on the cached DID).`;
    case RemovalOutcome.StillValid:
      return `Removal pass on ${bdf}: ${who} still ${n === 1 ? 'looks' : 'look'} valid in guest memory → kept (even if changed: the walk will update ${n === 1 ? 'it' : 'them'}).`;
    case RemovalOutcome.Removed:
      return `Removal pass on ${bdf}: PASID ${hex(p)} is no longer valid in guest memory (${faultText(ev.fault)}) → vtd_accel_delete_pc removes it.`;
    default:
      return assertUnreachable(ev.outcome, 'removal outcome');
  }
}

/** end = MIN(end, 1 << max_pasid_log2, 2^(PDTS + 7) * 64) for one device. */
function clampSentence(ev: TraceEventOf<'RangeClamp'>, bdf: string, ctx: EventContext): string {
  const { start: p, end: c, pdts } = ev;
  const dev = 2 ** ev.maxPasidLog2;
  const pd = pdtsLimit(pdts);
  const end0 = ctx.rangeInit ? hex(ctx.rangeInit.end) : 'end';
  const mins = `MIN(${end0}, 1 << max_pasid_log2 = ${count(dev)}, 2^(PDTS ${pdts.toString()} + 7) × 64 = ${count(pd)})`;
  return c <= p
    ? `${bdf}: end = ${mins} = ${hex(c)}, not above the start ${hex(p)} → nothing to walk.`
    : `${bdf}: end = ${mins} → the walk covers [${hex(p)}, ${hex(c)}): ${plural(c - p, 'PASID')} in ${plural(Math.ceil(c / 64) - Math.floor(p / 64), 'directory entry', 'directory entries')}.`;
}
