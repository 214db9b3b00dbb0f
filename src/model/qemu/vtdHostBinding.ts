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

/**
 * vtd_create_fs_hwpt's iommu_hwpt_vtd_s1 and flags, from the entry's val[2], written into one
 * reused object (IommufdHostDevice.allocHwpt reads it during the call only): no allocation per
 * created PASID.
 */
const s1Alloc = {
  flags: 0,
  s1Flags: 0,
  addrWidth: 0,
  pgtblHi: 0,
  pgtblLo: 0,
  faultId: 0,
};

function firstStageAlloc(
  st: VtdState,
  halves: Uint32Array,
  off: number,
  faultId: number,
): FirstStageAlloc {
  const lo = halves[off + 4] ?? 0;
  const a = s1Alloc;
  a.s1Flags =
    (lo & 0x1 ? VTD_S1_SRE : 0) | (lo & 0x80 ? VTD_S1_EAFE : 0) | (lo & 0x10 ? VTD_S1_WPE : 0);
  a.flags = (st.caps.pasidBits ? HWPT_ALLOC_PASID : 0) | (faultId ? HWPT_ALLOC_FAULT_ID_VALID : 0);
  a.addrWidth = 48 + 9 * ((lo >>> 2) & 3);
  a.pgtblHi = halves[off + 5] ?? 0;
  a.pgtblLo = (lo & 0xffff_f000) >>> 0;
  a.faultId = faultId;
  return a;
}

/** vtd_destroy_old_fs_hwpt: the S1 hwpt first, then its fault queue (0 = none). */
function destroyOld(host: IommufdHostDevice, pasid: number, hwpt: number, faultq: number): void {
  const fn = QemuFn.vtd_destroy_old_fs_hwpt;
  if (hwpt) host.free(fn, pasid, hwpt);
  if (faultq) host.free(fn, pasid, faultq);
}

const CREATE = QemuFn.vtd_create_fs_hwpt;

/**
 * vtd_device_attach_iommufd for one PASID, with the entry as QEMU holds it and its old ids.
 * Pass-through attaches the PASID to the nesting parent; first-stage allocates a fault queue (svm
 * and PRE only) and a nested hwpt, then attaches it. Success frees the old ids and returns the
 * new S1 hwpt (0 for pass-through); failure frees what this call made and returns -1 (the old ids
 * stay). `entry`: the ids are a series accel entry's, recorded by the host on success (else the
 * caller records them, as the seed's address space does).
 */
export function vtdDeviceAttachIommufd(
  st: VtdState,
  host: IommufdHostDevice,
  pasid: number,
  halves: Uint32Array,
  off: number,
  withFaultq: boolean,
  oldHwpt: number,
  oldFaultq: number,
  entry: boolean,
  via: QemuFn = QemuFn.vtd_device_attach_iommufd,
): number {
  const pgtt = entryPgtt(halves, off);
  if (pgtt === PGTT_PASS_THROUGH) {
    const ok = entry
      ? host.attachEntry(via, pasid, DEFAULT_HWPT, 0)
      : host.attach(via, pasid, DEFAULT_HWPT);
    if (!ok) return -1;
    destroyOld(host, pasid, oldHwpt, oldFaultq);
    return 0;
  }
  // The leaf fetch accepts only first-stage and pass-through entries with fsts.
  if (pgtt !== PGTT_FIRST_STAGE) return -1;
  let faultq = 0;
  if (withFaultq) {
    faultq = host.allocFaultq(CREATE, pasid);
    if (!faultq) return -1;
  }
  const hwpt = host.allocHwpt(CREATE, pasid, firstStageAlloc(st, halves, off, faultq));
  if (!hwpt) {
    if (faultq) host.free(CREATE, pasid, faultq);
    return -1;
  }
  const ok = entry ? host.attachEntry(via, pasid, hwpt, faultq) : host.attach(via, pasid, hwpt);
  if (!ok) {
    host.free(via, pasid, hwpt);
    if (faultq) host.free(via, pasid, faultq);
    return -1;
  }
  destroyOld(host, pasid, oldHwpt, oldFaultq);
  return hwpt;
}

/** vtd_device_attach_iommufd allocates a fault queue: svm and the device's context entry's PRE. */
function withFaultqFor(st: VtdState): boolean {
  return st.caps.svm && ((st.scratch.lookup.ce[0] ?? 0) & CONTEXT_PRE) !== 0;
}

/**
 * Series: whether vtdAccelBindEntry of this device's first-stage entries can take
 * IommufdHostDevice.bindQuietly until the end of the current PASID table (no fault queue, and no
 * call can fail, be listed or be traced: once quiet, a step stays quiet). Asked once a table.
 */
export function vtdAccelBindsQuietly(st: VtdState, host: IommufdHostDevice): boolean {
  return st.variant !== 'seed' && !withFaultqFor(st) && host.quiet();
}

/**
 * Series, while vtdAccelBindsQuietly: binds the first-stage entries of one PASID table that the
 * walk created or overwrote, after the walk of the table, in ascending PASID (bit k of `lo` / `hi`:
 * PASID tableBase + k, k < 32 / k >= 32). Nothing of these calls is listed, traced or can fail,
 * and other entries' binds allocate no id, so making them here rather than one by one changes
 * nothing but the cost. Consecutive PASIDs are bound as a run (a whole table at once when every
 * entry was created).
 */
export function vtdAccelBindTableQuietly(
  host: IommufdHostDevice,
  tableBase: number,
  lo: number,
  hi: number,
): void {
  if ((lo & hi) === -1) {
    host.bindRunQuietly(tableBase, 64);
    return;
  }
  let runFirst = 0;
  let runCount = 0;
  for (let half = 0; half < 2; half++) {
    let bits = half === 0 ? lo : hi;
    while (bits !== 0) {
      const pasid = tableBase + 31 - Math.clz32(bits & -bits) + 32 * half;
      bits &= bits - 1;
      if (runCount > 0 && runFirst + runCount === pasid) {
        runCount++;
        continue;
      }
      if (runCount > 0) host.bindRunQuietly(runFirst, runCount);
      runFirst = pasid;
      runCount = 1;
    }
  }
  if (runCount > 0) host.bindRunQuietly(runFirst, runCount);
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
  const withFaultq = withFaultqFor(st);
  const oldHwpt = host.entryHwptOf(pasid);
  const oldFaultq = host.entryFaultqOf(pasid);
  vtdDeviceAttachIommufd(st, host, pasid, halves, off, withFaultq, oldHwpt, oldFaultq, true);
}

/**
 * Series: vtd_accel_delete_pc's vtd_device_detach_iommufd. The PASID is detached; on success its
 * S1 hwpt and fault queue are freed, on failure nothing is (both leak). The entry (and its ids)
 * go either way.
 */
export function vtdAccelUnbindEntry(st: VtdState, host: IommufdHostDevice, pasid: number): void {
  if (st.variant === 'seed') return;
  const oldHwpt = host.entryHwptOf(pasid);
  const oldFaultq = host.entryFaultqOf(pasid);
  if (host.detachEntry(QemuFn.vtd_device_detach_iommufd, pasid)) {
    destroyOld(host, pasid, oldHwpt, oldFaultq);
  }
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
  const old = host.asHwpt;
  const via = QemuFn.vtd_propagate_guest_pasid;
  if (bind) {
    const hwpt = vtdDeviceAttachIommufd(st, host, 0, as.entry, 0, false, old, 0, false, via);
    if (hwpt >= 0) host.asHwpt = hwpt;
  } else if (host.detach(via, 0)) {
    // vtd_device_detach_iommufd: on success the S1 hwpt is freed.
    destroyOld(host, 0, old, 0);
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
