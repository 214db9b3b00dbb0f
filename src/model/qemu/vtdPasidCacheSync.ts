// vtd_pasid_cache_sync, vtd_pasid_cache_sync_locked, vtd_replay_pasid_bindings_all,
// vtd_pasid_cache_devsi, vtd_context_global_invalidate and vtd_context_device_invalidate
// (hw/i386/intel_iommu.c): the emulated VTDPASIDCacheEntry of every VTDAddressSpace.
//
// QEMU iterates its address-space hash table; the model iterates devices in scenario order (each
// device's PASID-0 space first, then its extra PASID spaces). Address spaces never influence each
// other, so only the order of trace events and changes can differ from a real run.

import { EmuSkipReason, GateReason, PcType, QemuFn } from '../trace/traceFormat.ts';
import {
  emitEmuCreated,
  emitEmuDiffers,
  emitEmuRemoved,
  emitEmuSkip,
  emitEmuUnchanged,
  emitLookupResult,
  emitReplayBegin,
  emitSyncBegin,
  emitSyncGated,
} from '../trace/traceEmitters.ts';
import { functionMaskIgnoredBits } from '../invalidation/contextCacheDescriptor.ts';
import { emitReads } from './traceEmit.ts';
import { vtdAccelPasidCacheSync } from './vtdAccelPasidCache.ts';
import { vtdPropagateGuestPasid } from './vtdHostBinding.ts';
import { vtdDevGetPeFromPasid } from './vtdPasidEntry.ts';
import { ChangeCode } from './vtdState.ts';
import type { EmulatedAddressSpace, VtdPasidCacheInfo, VtdState } from './vtdState.ts';

function entriesEqual(a: Uint32Array, b: Uint32Array): boolean {
  for (let k = 0; k < 16; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * vtd_pasid_cache_sync_locked for one address space. In the `series` variant the removal branch
 * has no `return` (exactly as applied): execution falls through into the filter and the fill with
 * the failed lookup's buffer, which may store that buffer as a valid entry again.
 */
export function vtdPasidCacheSyncLocked(
  st: VtdState,
  as: EmulatedAddressSpace,
  info: VtdPasidCacheInfo,
): void {
  const { trace, scratch } = st;
  const fn = QemuFn.vtd_pasid_cache_sync_locked;
  const pe = scratch.pe;
  // QEMU's local `pe` is zero-initialised (-ftrivial-auto-var-init=zero).
  pe.fill(0);
  const log = scratch.log;
  log.reset();
  const fault = vtdDevGetPeFromPasid(st, as.bus, as.devfn, as.pasid, pe, scratch.lookup, log);
  emitReads(trace, as.device, log);
  const leaf = {
    device: as.device,
    pasid: as.pasid,
    leafReached: log.leafReached,
    addrHi: log.leafHi,
    addrLo: log.leafLo,
  };
  emitLookupResult(trace, { ...leaf, fault });

  let fellThrough = false;
  if (fault) {
    if (!as.valid) {
      emitEmuSkip(trace, {
        fn,
        device: as.device,
        pasid: as.pasid,
        reason: EmuSkipReason.LookupFailedNotCached,
        did: 0,
        fault,
      });
      return;
    }
    // No valid entry in guest memory any more: invalidate the cache, unmap, switch the AS.
    as.valid = false;
    emitEmuRemoved(trace, { fn, device: as.device, pasid: as.pasid, fault });
    st.changes.emulated(as.device, as.pasid, ChangeCode.Removed);
    // Seed: the removal branch jumps to do_bind_unbind (unbind PASID 0) and returns.
    vtdPropagateGuestPasid(st, as, false);
    if (st.variant !== 'series') return;
    fellThrough = true;
  }

  // PASID-selective and domain-selective need the DID to match: the cached one if valid, else the
  // one in the entry buffer (memory, or the failed lookup's buffer after a fall-through).
  if (info.type === PcType.PasidSelective && info.pasid !== as.pasid) {
    const reason = EmuSkipReason.PasidFilter;
    emitEmuSkip(trace, { fn, device: as.device, pasid: as.pasid, reason, did: 0, fault: 0 });
    return;
  }
  if (info.type === PcType.DomainSelective || info.type === PcType.PasidSelective) {
    const did = ((as.valid ? as.entry[2] : pe[2]) ?? 0) & 0xffff;
    if (info.did !== did) {
      const reason = EmuSkipReason.DidFilter;
      emitEmuSkip(trace, { fn, device: as.device, pasid: as.pasid, reason, did, fault: 0 });
      return;
    }
  }

  if (!as.valid) {
    as.entry.set(pe);
    as.valid = true;
    emitEmuCreated(trace, { ...leaf, fn, fallThrough: fellThrough });
    st.changes.emulated(as.device, as.pasid, ChangeCode.Created);
  } else if (entriesEqual(pe, as.entry)) {
    emitEmuUnchanged(trace, { fn, device: as.device, pasid: as.pasid });
    return;
  } else {
    // The cached copy is deliberately not overwritten: only switch + sync happen.
    emitEmuDiffers(trace, { ...leaf, fn });
  }
  // Seed: do_bind_unbind binds PASID 0 from the cached copy (the old one when memory changed).
  vtdPropagateGuestPasid(st, as, true);
  // vtd_switch_address_space + vtd_address_space_sync: no effect on either PASID cache.
}

/** vtd_pasid_cache_sync: every address space, then the accel lists. */
export function vtdPasidCacheSync(st: VtdState, info: VtdPasidCacheInfo): void {
  const { trace, caps } = st;
  const fn = QemuFn.vtd_pasid_cache_sync;
  emitSyncBegin(trace, { fn, device: -1, pcType: info.type, did: info.did, pasid: info.pasid });
  if (!caps.rootScalable) {
    emitSyncGated(trace, { fn, device: -1, pasid: 0, reason: GateReason.NotRootScalable });
    return;
  }
  if (!caps.dmarEnabled) {
    emitSyncGated(trace, { fn, device: -1, pasid: 0, reason: GateReason.DmarDisabled });
    return;
  }
  for (const as of st.addressSpaces) vtdPasidCacheSyncLocked(st, as, info);
  vtdAccelPasidCacheSync(st, info);
}

/** vtd_replay_pasid_bindings_all: a global sync with a zero-initialised VTDPASIDCacheInfo. */
export function vtdReplayPasidBindingsAll(st: VtdState): void {
  emitReplayBegin(st.trace);
  vtdPasidCacheSync(st, { type: PcType.Global, did: 0, pasid: 0, accelPceDeleted: false });
}

/**
 * vtd_pasid_cache_devsi: one address space, faked as a global invalidation, only with fsts,
 * root_scalable and DMAR on. The accel lists are not touched.
 */
export function vtdPasidCacheDevsi(st: VtdState, as: EmulatedAddressSpace): void {
  const { trace, caps } = st;
  const fn = QemuFn.vtd_pasid_cache_devsi;
  const gate = !caps.fsts
    ? GateReason.FstsOff
    : !caps.rootScalable
      ? GateReason.NotRootScalable
      : !caps.dmarEnabled
        ? GateReason.DmarDisabled
        : 0;
  if (gate) {
    emitSyncGated(trace, { fn, device: as.device, pasid: as.pasid, reason: gate });
    return;
  }
  const pcType = PcType.Global;
  emitSyncBegin(trace, { fn, device: as.device, pcType, did: 0, pasid: as.pasid });
  vtdPasidCacheSyncLocked(st, as, { type: pcType, did: 0, pasid: 0, accelPceDeleted: false });
}

/** vtd_context_global_invalidate (global and domain-selective): ends in the global replay. */
export function vtdContextGlobalInvalidate(st: VtdState): void {
  vtdReplayPasidBindingsAll(st);
}

/**
 * vtd_context_device_invalidate: every address space on the source-id's bus whose devfn matches
 * with the function mask applied gets vtd_pasid_cache_devsi.
 */
export function vtdContextDeviceInvalidate(st: VtdState, sourceId: number, fm: number): void {
  const bus = (sourceId >>> 8) & 0xff;
  const devfn = sourceId & 0xff;
  const keep = ~functionMaskIgnoredBits(fm) & 0xff;
  for (const as of st.addressSpaces) {
    if (as.bus === bus && (as.devfn & keep) === (devfn & keep)) vtdPasidCacheDevsi(st, as);
  }
}
