// vtd_accel_pasid_cache_sync, vtd_accel_pasid_cache_invalidate(_one), vtd_accel_delete_pc,
// vtd_accel_replay_pasid_bind_for_dev, vtd_sm_pasid_table_walk, vtd_sm_pasid_table_walk_one and
// vtd_accel_fill_pc (hw/i386/intel_iommu_accel.c): the VTDAccelPASIDCacheEntry list of every
// host IOMMU device on the iommufd backend.
//
// Variants: `seed` only adds and updates; `series` and `series-fixed` first run the removal pass
// (filtered on the cached DID) and skip a device's replay after a PASID-selective removal.
// QEMU iterates its host-device hash table; the model uses scenario order (devices are
// independent, so only the order of events and changes can differ).
//
// The walk is the hot path (up to 2^20 PASIDs per device): it reads entries straight from guest
// memory pages as 32-bit halves, keeps no per-PASID object, and coalesces runs of identical skips
// into one trace event.

import {
  DirOutcome,
  GateReason,
  LeafOutcome,
  PcType,
  QemuFn,
  RangeReason,
  RemovalOutcome,
} from '../trace/traceFormat.ts';
import {
  emitAccelBypass,
  emitAccelDeviceBegin,
  emitAccelDeviceSkipped,
  emitAccelRemovalCheck,
  emitAccelRemoved,
  emitDirChecked,
  emitLeafChecked,
  emitRangeClamp,
  emitRangeInit,
  emitSyncGated,
  extendAccelRemovalRun,
  extendDirRun,
  extendLeafFillRun,
  extendLeafRun,
} from '../trace/traceEmitters.ts';
import { addAddress, dmaRead, inRam, sum } from './dma.ts';
import { emitReads } from './traceEmit.ts';
import {
  contextDirHi,
  contextDirLo,
  contextPdts,
  vtdDevToContextEntry,
} from './vtdContextEntry.ts';
import { VtdFault } from './vtdFaults.ts';
import {
  pasidEntryFaultInPlace,
  pasidEntryTypeFault,
  vtdGetPdireFromPdirTable,
} from './vtdPasidEntry.ts';
import {
  vtdAccelBindEntry,
  vtdAccelBindTableQuietly,
  vtdAccelBindsQuietly,
  vtdAccelUnbindEntry,
} from './vtdHostBinding.ts';
import { ChangeCode } from './vtdState.ts';
import type { AccelDevice, VtdPasidCacheInfo, VtdState } from './vtdState.ts';

// Module-level aliases of what the per-PASID loops use: some loaders (tsx, vitest) compile an
// imported binding into a getter call, which would run a million times per walk.
const typeFault = pasidEntryTypeFault;
const readDma = dmaRead;
const addAddr = addAddress;
const ramHas = inRam;
const sumOut = sum;
const readPdire = vtdGetPdireFromPdirTable;
const leafFaultInPlace = pasidEntryFaultInPlace;
const bindEntry = vtdAccelBindEntry;
const bindsQuietly = vtdAccelBindsQuietly;
const bindTableQuietly = vtdAccelBindTableQuietly;
const emitLeaf = emitLeafChecked;
const extendLeaf = extendLeafRun;
const extendFill = extendLeafFillRun;
const emitDir = emitDirChecked;
const extendDir = extendDirRun;
const FN_WALK = QemuFn.vtd_sm_pasid_table_walk;
const FN_WALK_ONE = QemuFn.vtd_sm_pasid_table_walk_one;
const FN_FILL = QemuFn.vtd_accel_fill_pc;
const FN_INVALIDATE_ONE = QemuFn.vtd_accel_pasid_cache_invalidate_one;
const LEAF_FETCH_ERROR = LeafOutcome.FetchError;
const LEAF_INVALID = LeafOutcome.EntryInvalid;
const LEAF_NOT_PRESENT = LeafOutcome.NotPresent;
const LEAF_DID_MISMATCH = LeafOutcome.DidMismatch;
const LEAF_CREATED = LeafOutcome.Created;
const LEAF_UPDATED = LeafOutcome.Updated;
const LEAF_UNCHANGED = LeafOutcome.Unchanged;
const DIR_PRESENT = DirOutcome.Present;
const DIR_NOT_PRESENT = DirOutcome.NotPresent;
const DIR_READ_FAILED = DirOutcome.ReadFailed;
const REMOVAL_PASID_FILTER = RemovalOutcome.PasidFilter;
const REMOVAL_DID_FILTER = RemovalOutcome.DidFilter;
const REMOVAL_STILL_VALID = RemovalOutcome.StillValid;
const REMOVAL_REMOVED = RemovalOutcome.Removed;
const CHANGE_CREATED = ChangeCode.Created;
const CHANGE_UPDATED = ChangeCode.Updated;
const FAULT_DIR_ACCESS = VtdFault.PasidDirAccess;
const FAULT_DIR_NOT_PRESENT = VtdFault.PasidDirEntryNotPresent;

/** PGTT of a first-stage PASID entry (val[0] bits 8:6). */
const PGTT_FIRST_STAGE = 1;

/** VTD_PASID_TABLE_ENTRY_NUM: PASIDs per leaf table (one directory entry). */
const PASID_TABLE_ENTRY_NUM = 64;

/** vtd_accel_pasid_cache_sync. */
export function vtdAccelPasidCacheSync(st: VtdState, info: VtdPasidCacheInfo): void {
  const { trace, caps } = st;
  const fn = QemuFn.vtd_accel_pasid_cache_sync;
  if (!caps.fsts) {
    emitSyncGated(trace, { fn, device: -1, pasid: 0, reason: GateReason.FstsOff });
    return;
  }
  // start = IOMMU_NO_PASID, end = 1 << pasid-bits; PASID-selective: [pasid, pasid + 1), not
  // clamped by pasid-bits.
  let start = 0;
  let end = 2 ** caps.pasidBits;
  let reason: RangeReason = RangeReason.PasidBits;
  if (info.type === PcType.PasidSelective) {
    start = info.pasid;
    end = info.pasid + 1;
    reason = RangeReason.PasidSelective;
  }
  emitRangeInit(trace, { fn, start, end, reason, pasidBits: caps.pasidBits });

  for (const dev of st.accelDevices) {
    emitAccelDeviceBegin(trace, { fn, device: dev.device });
    if (st.variant !== 'seed') {
      // Removals first, so that the replay's list searches skip entries about to go.
      vtdAccelPasidCacheInvalidate(st, dev, info);
      if (info.accelPceDeleted) {
        info.accelPceDeleted = false;
        emitAccelBypass(trace, { fn, device: dev.device, pasid: info.pasid });
        continue;
      }
    }
    vtdAccelReplayPasidBindForDev(st, dev, start, end, info);
  }
}

/**
 * vtd_accel_pasid_cache_invalidate: walks the list from the head (safe against removal) and runs
 * vtd_accel_pasid_cache_invalidate_one on every entry.
 */
export function vtdAccelPasidCacheInvalidate(
  st: VtdState,
  dev: AccelDevice,
  info: VtdPasidCacheInfo,
): void {
  const { trace, scratch } = st;
  const list = dev.list;
  const fn = FN_INVALIDATE_ONE;
  // Guest memory does not change while one descriptor runs, so each lookup step gives the same
  // answer every time: the device's context lookup (root, context, PASID-0 check) is done once,
  // and a directory entry once per run of entries in the same 64-PASID chunk. The verdict per
  // entry is exactly vtd_dev_get_pe_from_pasid's.
  let ctxDone = false;
  let ctxFault = 0;
  let dirHi = 0;
  let dirLo = 0;
  let memoDirIndex = -1;
  let memoDirFault = 0;
  let tableHi = 0;
  let tableLo = 0;
  const dirBuf = scratch.lookup.dir;
  let openIdx = -1;
  let openOutcome = 0;
  for (let slot = list.head; slot >= 0;) {
    const next = list.next(slot);
    const pasid = list.pasidAt(slot);
    const cachedDid = list.didAt(slot);
    let outcome: RemovalOutcome;
    let fault = 0;
    if (info.type === PcType.PasidSelective && info.pasid !== pasid) {
      outcome = REMOVAL_PASID_FILTER;
    } else if (
      (info.type === PcType.DomainSelective || info.type === PcType.PasidSelective) &&
      info.did !== cachedDid
    ) {
      outcome = REMOVAL_DID_FILTER;
    } else {
      if (!ctxDone) {
        ctxDone = true;
        const l = scratch.lookup;
        ctxFault = st.caps.rootScalable
          ? vtdDevToContextEntry(st, dev.bus, dev.devfn, l.ce, l.re, l.dir, l.pe0, null)
          : VtdFault.RtaddrInvalidTtm;
        dirHi = contextDirHi(l.ce);
        dirLo = contextDirLo(l.ce);
      }
      fault = ctxFault;
      if (!fault) {
        const dirIndex = (pasid >>> 6) & 0x3fff;
        if (dirIndex !== memoDirIndex) {
          memoDirIndex = dirIndex;
          memoDirFault = readPdire(st, dirHi, dirLo, pasid, dirBuf, null);
          if (!memoDirFault && ((dirBuf[0] ?? 0) & 1) === 0) memoDirFault = FAULT_DIR_NOT_PRESENT;
          tableHi = dirBuf[1] ?? 0;
          tableLo = ((dirBuf[0] ?? 0) & 0xffff_f000) >>> 0;
        }
        fault = memoDirFault || leafFaultInPlace(st, tableHi, tableLo, pasid);
      }
      outcome = fault ? REMOVAL_REMOVED : REMOVAL_STILL_VALID;
    }
    if (outcome === REMOVAL_REMOVED) {
      emitAccelRemovalCheck(trace, { fn, device: dev.device, pasid, outcome, cachedDid, fault });
      openIdx = -1;
      vtdAccelDeletePc(st, dev, slot, info);
    } else if (openIdx >= 0 && openIdx === trace.length - 1 && openOutcome === outcome) {
      // A run of entries (in list order) with the same outcome: one event.
      extendAccelRemovalRun(trace, openIdx);
    } else {
      openIdx = emitAccelRemovalCheck(trace, {
        fn,
        device: dev.device,
        pasid,
        outcome,
        cachedDid,
        fault: 0,
      });
      openOutcome = outcome;
    }
    slot = next;
  }
}

/**
 * vtd_accel_delete_pc: detach (vtd_device_detach_iommufd), then unlink and free the entry even
 * when the detach failed; a PASID-selective removal sets accel_pce_deleted.
 */
export function vtdAccelDeletePc(
  st: VtdState,
  dev: AccelDevice,
  slot: number,
  info: VtdPasidCacheInfo,
): void {
  const pasid = dev.list.pasidAt(slot);
  const did = dev.list.didAt(slot);
  vtdAccelUnbindEntry(st, dev.host, pasid);
  dev.list.remove(slot);
  emitAccelRemoved(st.trace, { device: dev.device, pasid, did });
  st.changes.accel(dev.device, pasid, ChangeCode.Removed);
  if (info.type === PcType.PasidSelective) info.accelPceDeleted = true;
}

/**
 * vtd_accel_replay_pasid_bind_for_dev: the device's context entry (a failure skips the device
 * silently), the end clamp MIN(end, MIN(1 << max_pasid_log2, 2^(PDTS+7) * 64)) for this device
 * only, then the walk.
 */
export function vtdAccelReplayPasidBindForDev(
  st: VtdState,
  dev: AccelDevice,
  start: number,
  end: number,
  info: VtdPasidCacheInfo,
): void {
  const { trace, scratch } = st;
  const fn = QemuFn.vtd_accel_pasid_cache_sync;
  const l = scratch.lookup;
  const log = scratch.log;
  log.reset();
  const fault = vtdDevToContextEntry(st, dev.bus, dev.devfn, l.ce, l.re, l.dir, l.pe0, log);
  emitReads(trace, dev.device, log);
  if (fault) {
    emitAccelDeviceSkipped(trace, { fn, device: dev.device, fault });
    return;
  }
  const pdts = contextPdts(l.ce);
  const devMaxPasid = 2 ** dev.maxPasidLog2;
  const ceMaxPasid = 2 ** (pdts + 7) * PASID_TABLE_ENTRY_NUM;
  const clamped = Math.min(end, Math.min(devMaxPasid, ceMaxPasid));
  const maxPasidLog2 = dev.maxPasidLog2;
  emitRangeClamp(trace, { fn, device: dev.device, start, maxPasidLog2, pdts, end: clamped });
  // walk_info is a copy of pc_info in QEMU; the walk never changes it anyway.
  vtdSmPasidTableWalk(st, dev, contextDirHi(l.ce), contextDirLo(l.ce), start, clamped, info);
}

/**
 * vtd_sm_pasid_table_walk: [start, end) in chunks that end at the next multiple of 64; a chunk
 * whose directory entry cannot be read or is not present is skipped whole.
 */
export function vtdSmPasidTableWalk(
  st: VtdState,
  dev: AccelDevice,
  dirHi: number,
  dirLo: number,
  start: number,
  end: number,
  info: VtdPasidCacheInfo,
): void {
  const { trace, memory, counts } = st;
  const fn = FN_WALK;
  const dirBuf = st.scratch.lookup.dir;
  const device = dev.device;
  let openIdx = -1;
  let openOutcome = 0;
  let pasid = start;
  while (pasid < end) {
    let next = (pasid + PASID_TABLE_ENTRY_NUM) & ~(PASID_TABLE_ENTRY_NUM - 1);
    if (next > end) next = end;
    counts.dirReads++;
    // vtd_get_pdire_from_pdir_table
    addAddr(dirHi, dirLo, ((pasid >>> 6) & 0x3fff) * 8);
    const hi = sumOut.hi;
    const lo = sumOut.lo;
    const ok = readDma(memory, hi, lo, 2, dirBuf, 0);
    const dir0 = dirBuf[0] ?? 0;
    if (ok && dir0 & 1) {
      openIdx = -1;
      emitDir(trace, {
        fn,
        device,
        firstPasid: pasid,
        addrHi: hi,
        addrLo: lo,
        outcome: DIR_PRESENT,
        end: next,
        fault: 0,
      });
      vtdSmPasidTableWalkOne(
        st,
        dev,
        dirBuf[1] ?? 0,
        (dir0 & 0xffff_f000) >>> 0,
        pasid,
        next,
        info,
      );
    } else {
      const outcome = ok ? DIR_NOT_PRESENT : DIR_READ_FAILED;
      if (openIdx >= 0 && openIdx === trace.length - 1 && openOutcome === outcome) {
        extendDir(trace, openIdx, next);
      } else {
        openIdx = emitDir(trace, {
          fn,
          device,
          firstPasid: pasid,
          addrHi: hi,
          addrLo: lo,
          outcome,
          end: next,
          fault: ok ? 0 : FAULT_DIR_ACCESS,
        });
        openOutcome = outcome;
      }
    }
    pasid = next;
  }
}

/**
 * vtd_sm_pasid_table_walk_one: for each PASID of the chunk, vtd_get_pe_in_pasid_leaf_table (read
 * error, PGTT / level / FSPM before the present bit), the present bit, the DID filter on the
 * MEMORY entry for domain- and PASID-selective, then vtd_accel_fill_pc.
 */
export function vtdSmPasidTableWalkOne(
  st: VtdState,
  dev: AccelDevice,
  tableHi: number,
  tableLo: number,
  start: number,
  end: number,
  info: VtdPasidCacheInfo,
): void {
  const { trace, memory, caps, counts, changes } = st;
  const walkFn = FN_WALK_ONE;
  const fillFn = FN_FILL;
  const device = dev.device;
  const list = dev.list;
  const filterDid = info.type === PcType.DomainSelective || info.type === PcType.PasidSelective;
  const did = info.did;
  counts.entryReads += end - start;
  let listCompares = 0;

  // The table is 4 KiB aligned (pdire & ~0xfff), so the whole chunk sits in one page. Entries
  // QEMU could not read (beyond RAM) are fetch errors; a page never written reads as zeros.
  const pageNumber = tableHi * 1048576 + (tableLo >>> 12);
  const page = memory.pageAt(pageNumber);
  // Cached entries point into the page: once one does, the page must never change in place.
  let pageShared = false;
  const wholePageInRam = ramHas(memory, tableHi, tableLo, 4096);
  let runIdx = -1;
  let runOutcome = 0;
  let runB = 0;
  // The open run of fills: consecutive PASIDs with one outcome whose compares follow the run's
  // rule (+1 per creation, -1 per update / unchanged entry), so a view recomputes each exactly.
  let fillIdx = -1;
  let fillOutcome = 0;
  let fillNextCompares = 0;
  // Once no host call of the step can fail, be listed or be traced, the first-stage entries
  // created or overwritten are only marked here (bit pasid & 63) and bound after the loop
  // (vtdAccelBindTableQuietly): the same calls with the same effects, nothing built.
  const host = dev.host;
  const quiet = bindsQuietly(st, host);
  let quietLo = 0;
  let quietHi = 0;
  for (let pasid = start; pasid < end; pasid++) {
    const off = (pasid & 0x3f) * 16;
    const entryLo = tableLo + off * 4;
    let outcome: LeafOutcome;
    let entryDid = 0;
    if (!wholePageInRam && !ramHas(memory, tableHi, entryLo, 64)) {
      outcome = LEAF_FETCH_ERROR;
    } else if (!page) {
      // All zero: PGTT 0 fails the type check.
      outcome = LEAF_INVALID;
    } else {
      const w0 = page[off] ?? 0;
      entryDid = (page[off + 2] ?? 0) & 0xffff;
      if (typeFault(caps, w0, page[off + 4] ?? 0) !== 0) {
        outcome = LEAF_INVALID;
      } else if ((w0 & 1) === 0) {
        outcome = LEAF_NOT_PRESENT;
      } else if (filterDid && entryDid !== did) {
        outcome = LEAF_DID_MISMATCH;
      } else {
        // vtd_accel_fill_pc: QEMU searches the list linearly from the head.
        if (!pageShared) {
          memory.sharePage(pageNumber);
          pageShared = true;
        }
        const slot = list.find(pasid);
        let compares: number;
        if (slot < 0) {
          compares = list.length;
          list.insertHead(pasid, page, off);
          outcome = LEAF_CREATED;
          changes.accel(device, pasid, CHANGE_CREATED);
          if (!quiet || ((w0 >>> 6) & 7) !== PGTT_FIRST_STAGE)
            bindEntry(st, host, pasid, page, off);
          else if ((pasid & 63) < 32) quietLo |= 1 << (pasid & 31);
          else quietHi |= 1 << (pasid & 31);
        } else {
          compares = list.positionOf(slot);
          if (list.equals(slot, page, off)) {
            outcome = LEAF_UNCHANGED;
          } else {
            list.overwrite(slot, page, off);
            outcome = LEAF_UPDATED;
            changes.accel(device, pasid, CHANGE_UPDATED);
            if (!quiet || ((w0 >>> 6) & 7) !== PGTT_FIRST_STAGE) {
              bindEntry(st, host, pasid, page, off);
            } else if ((pasid & 63) < 32) quietLo |= 1 << (pasid & 31);
            else quietHi |= 1 << (pasid & 31);
          }
        }
        listCompares += compares;
        if (
          fillIdx >= 0 &&
          fillOutcome === outcome &&
          fillNextCompares === compares &&
          fillIdx === trace.length - 1
        ) {
          extendFill(trace, fillIdx, entryDid);
        } else {
          fillIdx = emitLeaf(trace, {
            fn: fillFn,
            device,
            firstPasid: pasid,
            addrHi: tableHi,
            addrLo: entryLo,
            outcome,
            did: entryDid,
            listCompares: compares,
          });
          fillOutcome = outcome;
        }
        fillNextCompares = outcome === LEAF_CREATED ? compares + 1 : compares - 1;
        runIdx = -1;
        continue;
      }
    }
    if (runIdx >= 0 && runOutcome === outcome && runB === entryDid && runIdx === trace.length - 1) {
      extendLeaf(trace, runIdx);
    } else {
      runIdx = emitLeaf(trace, {
        fn: walkFn,
        device,
        firstPasid: pasid,
        addrHi: tableHi,
        addrLo: entryLo,
        outcome,
        did: entryDid,
        listCompares: 0,
      });
      runOutcome = outcome;
      runB = entryDid;
    }
  }
  if ((quietLo | quietHi) !== 0) bindTableQuietly(host, start & ~63, quietLo, quietHi);
  counts.listCompares += listCompares;
}
