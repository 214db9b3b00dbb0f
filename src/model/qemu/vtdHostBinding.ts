// What QEMU asks the host's iommufd to do because of the PASID caches (host-side.md):
// hw/i386/intel_iommu_accel.c's vtd_device_attach_iommufd, vtd_create_fs_hwpt,
// vtd_destroy_old_fs_hwpt, vtd_device_detach_iommufd and vtd_flush_host_piotlb_all_locked (series
// and series-fixed), and the seed era's vtd_propagate_guest_pasid (PASID 0 only, reached from the
// emulated path) with its PIOTLB propagation.
//
// Entries are read as 16 32-bit halves (val[i] = halves[off + 2i] | halves[off + 2i + 1] << 32),
// straight from the accel list's frozen page or the address space's cached copy.

import {
  DEFAULT_HWPT,
  HWPT_ALLOC_FAULT_ID_VALID,
  HWPT_ALLOC_PASID,
  VTD_INV_FLAGS_LEAF,
  VTD_S1_EAFE,
  VTD_S1_SRE,
  VTD_S1_WPE,
} from './iommufdHost.ts';
import type { FirstStageAlloc, IommufdHostDevice } from './iommufdHost.ts';
import { QemuFn } from '../trace/traceFormat.ts';
import type { EmulatedAddressSpace, VtdState } from './vtdState.ts';

const PGTT_FIRST_STAGE = 1;
const PGTT_PASS_THROUGH = 4;
/** The scalable-mode context entry's PRE bit (val[0] bit 4). */
const CONTEXT_PRE = 0x10;

export function entryPgtt(halves: Uint32Array, off: number): number {
  return ((halves[off] ?? 0) >>> 6) & 7;
}

export function entryDid(halves: Uint32Array, off: number): number {
  return (halves[off + 2] ?? 0) & 0xffff;
}

/** The hwpt QEMU records for an entry after an attach: 0 for pass-through. */
export interface BoundIds {
  readonly hwpt: number;
  readonly faultq: number;
}

/** vtd_create_fs_hwpt's iommu_hwpt_vtd_s1 and flags, from the entry's val[2]. */
function firstStageAlloc(
  st: VtdState,
  halves: Uint32Array,
  off: number,
  faultId: number,
): FirstStageAlloc {
  const lo = halves[off + 4] ?? 0;
  const hi = halves[off + 5] ?? 0;
  const s1Flags =
    (lo & 0x1 ? VTD_S1_SRE : 0) | (lo & 0x80 ? VTD_S1_EAFE : 0) | (lo & 0x10 ? VTD_S1_WPE : 0);
  const fspm = (lo >>> 2) & 3;
  return {
    flags: (st.caps.pasidBits ? HWPT_ALLOC_PASID : 0) | (faultId ? HWPT_ALLOC_FAULT_ID_VALID : 0),
    s1Flags,
    addrWidth: 48 + 9 * fspm,
    pgtblAddr: (BigInt(hi) << 32n) | BigInt((lo & 0xffff_f000) >>> 0),
    faultId,
  };
}

/** vtd_destroy_old_fs_hwpt: the S1 hwpt first, then its fault queue (0 = none). */
function destroyOld(host: IommufdHostDevice, pasid: number, hwpt: number, faultq: number): void {
  const fn = QemuFn.vtd_destroy_old_fs_hwpt;
  if (hwpt) host.free(fn, pasid, hwpt);
  if (faultq) host.free(fn, pasid, faultq);
}

const CREATE = QemuFn.vtd_create_fs_hwpt;

/**
 * vtd_device_attach_iommufd for one PASID, with the entry as QEMU holds it. Pass-through attaches
 * the PASID to the nesting parent; first-stage allocates a fault queue (svm and PRE only) and a
 * nested hwpt, then attaches it. Success frees the old ids and returns the new ones (none for
 * pass-through); failure frees what this call made and returns undefined (the old ids stay).
 */
export function vtdDeviceAttachIommufd(
  st: VtdState,
  host: IommufdHostDevice,
  pasid: number,
  halves: Uint32Array,
  off: number,
  withFaultq: boolean,
  old: BoundIds,
  via: QemuFn = QemuFn.vtd_device_attach_iommufd,
): BoundIds | undefined {
  const pgtt = entryPgtt(halves, off);
  if (pgtt === PGTT_PASS_THROUGH) {
    if (!host.attach(via, pasid, DEFAULT_HWPT)) return undefined;
    destroyOld(host, pasid, old.hwpt, old.faultq);
    return { hwpt: 0, faultq: 0 };
  }
  // The leaf fetch accepts only first-stage and pass-through entries with fsts.
  if (pgtt !== PGTT_FIRST_STAGE) return undefined;
  let faultq = 0;
  if (withFaultq) {
    faultq = host.allocFaultq(CREATE, pasid);
    if (!faultq) return undefined;
  }
  const hwpt = host.allocHwpt(CREATE, pasid, firstStageAlloc(st, halves, off, faultq));
  if (!hwpt) {
    if (faultq) host.free(CREATE, pasid, faultq);
    return undefined;
  }
  if (!host.attach(via, pasid, hwpt)) {
    host.free(via, pasid, hwpt);
    if (faultq) host.free(via, pasid, faultq);
    return undefined;
  }
  destroyOld(host, pasid, old.hwpt, old.faultq);
  return { hwpt, faultq };
}

/**
 * vtd_device_detach_iommufd: the PASID is detached; on success its S1 hwpt and fault queue are
 * freed. Returns whether the detach succeeded (on failure nothing is freed).
 */
export function vtdDeviceDetachIommufd(
  host: IommufdHostDevice,
  pasid: number,
  old: BoundIds,
  via: QemuFn = QemuFn.vtd_device_detach_iommufd,
): boolean {
  if (!host.detach(via, pasid)) return false;
  destroyOld(host, pasid, old.hwpt, old.faultq);
  return true;
}

/** Series: the attach after vtd_accel_fill_pc inserted or overwrote the entry. */
export function vtdAccelBindEntry(
  st: VtdState,
  host: IommufdHostDevice,
  pasid: number,
  halves: Uint32Array,
  off: number,
): void {
  // The seed's accel entries bind nothing (its host side is vtd_propagate_guest_pasid).
  if (st.variant === 'seed') return;
  const withFaultq = st.caps.svm && ((st.scratch.lookup.ce[0] ?? 0) & CONTEXT_PRE) !== 0;
  const old = { hwpt: host.entryHwptOf(pasid), faultq: host.entryFaultqOf(pasid) };
  const bound = vtdDeviceAttachIommufd(st, host, pasid, halves, off, withFaultq, old);
  if (bound) host.setEntryIds(pasid, bound.hwpt, bound.faultq);
}

/** Series: vtd_accel_delete_pc's detach; the entry (and its ids) go even if it failed. */
export function vtdAccelUnbindEntry(st: VtdState, host: IommufdHostDevice, pasid: number): void {
  if (st.variant === 'seed') return;
  vtdDeviceDetachIommufd(host, pasid, {
    hwpt: host.entryHwptOf(pasid),
    faultq: host.entryFaultqOf(pasid),
  });
  host.setEntryIds(pasid, 0, 0);
}

/**
 * Seed: vtd_propagate_guest_pasid for the PASID-0 address space of an iommufd device with fsts.
 * A bind uses the CACHED entry (which a changed entry does not overwrite); the S1 id lives in the
 * address space and survives the entry's removal.
 */
export function vtdPropagateGuestPasid(
  st: VtdState,
  as: EmulatedAddressSpace,
  bind: boolean,
): void {
  if (st.variant !== 'seed' || as.pasid !== 0 || !st.caps.fsts) return;
  const host = st.hostByDevice[as.device];
  if (!host) return;
  const old = { hwpt: host.asHwpt, faultq: 0 };
  const via = QemuFn.vtd_propagate_guest_pasid;
  if (bind) {
    const bound = vtdDeviceAttachIommufd(st, host, 0, as.entry, 0, false, old, via);
    if (bound) host.asHwpt = bound.hwpt;
  } else if (vtdDeviceDetachIommufd(host, 0, old, via)) {
    host.asHwpt = 0;
  }
}

/** A decoded PASID-based IOTLB invalidation, as vtd_process_piotlb_desc hands it on. */
export interface PiotlbInvalidation {
  readonly did: number;
  readonly pasid: number;
  readonly addr: bigint;
  readonly npages: bigint;
  readonly flags: number;
}

/**
 * vtd_process_piotlb_desc after its checks: granularity 2 is the whole PASID, 3 a page range of
 * 2^am pages (am checked by the caller).
 */
export function decodePiotlb(v: readonly [bigint, bigint, bigint, bigint]): PiotlbInvalidation {
  const g = Number((v[0] >> 4n) & 3n);
  const did = Number((v[0] >> 16n) & 0xffffn);
  const pasid = Number((v[0] >> 32n) & 0xfffffn);
  if (g === 2) return { did, pasid, addr: 0n, npages: 0xffff_ffff_ffff_ffffn, flags: 0 };
  const am = v[1] & 0x3fn;
  return {
    did,
    pasid,
    addr: v[1] & ~0xfffn,
    npages: 1n << am,
    flags: v[1] & 0x40n ? VTD_INV_FLAGS_LEAF : 0,
  };
}

/**
 * vtd_flush_host_piotlb_all_locked. Series: every device's cached first-stage entry with this DID
 * and PASID gets the invalidation on the S1 id QEMU recorded (0 after a failed first attach).
 * Seed: only PASID 0, from each iommufd device's valid PASID-0 address space. No DMAR or root
 * gating.
 */
const FLUSH = QemuFn.vtd_flush_host_piotlb_all_locked;

export function vtdFlushHostPiotlbAll(st: VtdState, inv: PiotlbInvalidation): void {
  if (st.variant === 'seed') {
    if (inv.pasid !== 0) return;
    for (const as of st.addressSpaces) {
      const host = st.hostByDevice[as.device];
      if (!host || as.pasid !== 0 || !as.valid) continue;
      if (entryPgtt(as.entry, 0) !== PGTT_FIRST_STAGE || entryDid(as.entry, 0) !== inv.did)
        continue;
      host.invalidate(FLUSH, 0, host.asHwpt, inv.addr, inv.npages, inv.flags);
    }
    return;
  }
  for (const dev of st.accelDevices) {
    const slot = dev.list.find(inv.pasid);
    if (slot < 0) continue;
    const halves = dev.list.wordStore(slot);
    const off = dev.list.wordOffset(slot);
    if (entryPgtt(halves, off) !== PGTT_FIRST_STAGE || entryDid(halves, off) !== inv.did) continue;
    dev.host.invalidate(
      FLUSH,
      inv.pasid,
      dev.host.entryHwptOf(inv.pasid),
      inv.addr,
      inv.npages,
      inv.flags,
    );
  }
}
