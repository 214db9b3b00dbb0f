// vtd_get_root_entry, vtd_root_entry_present, vtd_root_entry_rsvd_bits_check,
// vtd_get_context_entry_from_root, vtd_context_entry_rsvd_bits_check, vtd_ce_pasid_0_check and
// vtd_dev_to_context_entry (hw/i386/intel_iommu.c), scalable mode.
//
// Every caller in the PASID-cache paths runs only with root_scalable set (vtd_pasid_cache_sync
// and vtd_pasid_cache_devsi return early otherwise, vtd_dev_get_pe_from_pasid returns 0x31), so
// the legacy-mode branches of these functions are never reached and are not modelled.

import { QemuFn, Structure } from '../trace/traceFormat.ts';
import { dmaRead, sum, addAddress } from './dma.ts';
import type { ReadLog } from './readLog.ts';
import { VtdFault } from './vtdFaults.ts';
import { vtdGetPeFromPasidTable } from './vtdPasidEntry.ts';
import type { VtdMemoryView } from './vtdPasidEntry.ts';

/** High-half mask of ~HAW(aw): the bits of a word's upper 32 bits at or above aw. */
export function aboveHawHighMask(awBits: number): number {
  return awBits >= 64 ? 0 : awBits <= 32 ? 0xffff_ffff : (0xffff_ffff << (awBits - 32)) >>> 0;
}

/**
 * vtd_root_entry_rsvd_bits_check, scalable mode: both halves against
 * VTD_ROOT_ENTRY_RSVD(aw) = 0xffe | ~HAW(aw). re = [lo.lo, lo.hi, hi.lo, hi.hi].
 */
export function rootEntryReservedBitsSet(re: Uint32Array, awBits: number): boolean {
  const high = aboveHawHighMask(awBits);
  return (
    ((re[0] ?? 0) & 0xffe) !== 0 ||
    ((re[1] ?? 0) & high) !== 0 ||
    ((re[2] ?? 0) & 0xffe) !== 0 ||
    ((re[3] ?? 0) & high) !== 0
  );
}

/**
 * vtd_context_entry_rsvd_bits_check, scalable mode: val[0] & (0x1e0 | ~HAW(aw)),
 * val[1] & 0xffffffffffe00000, val[2] and val[3] non-zero.
 */
export function contextEntryReservedBitsSet(ce: Uint32Array, awBits: number): boolean {
  return (
    ((ce[0] ?? 0) & 0x1e0) !== 0 ||
    ((ce[1] ?? 0) & aboveHawHighMask(awBits)) !== 0 ||
    ((ce[2] ?? 0) & 0xffe0_0000) !== 0 ||
    (ce[3] ?? 0) !== 0 ||
    (ce[4] ?? 0) !== 0 ||
    (ce[5] ?? 0) !== 0 ||
    (ce[6] ?? 0) !== 0 ||
    (ce[7] ?? 0) !== 0
  );
}

/**
 * vtd_dev_to_context_entry: fills ce (8 halves of the 256-bit entry) and returns 0 or the fault
 * code, checking in QEMU's order: root read, root present, root reserved bits, context read,
 * context present, context reserved bits, then the PASID-0 check (a full lookup of PASID 0 into
 * its own buffer `pe0`).
 */
export function vtdDevToContextEntry(
  v: VtdMemoryView,
  bus: number,
  devfn: number,
  ce: Uint32Array,
  re: Uint32Array,
  dir: Uint32Array,
  pe0: Uint32Array,
  log: ReadLog | null,
): number {
  const { memory, caps } = v;
  addAddress(caps.rootTableHi, caps.rootTableLo, bus * 16);
  const reHi = sum.hi;
  const reLo = sum.lo;
  if (!dmaRead(memory, reHi, reLo, 4, re, 0)) {
    log?.add(
      Structure.RootEntry,
      QemuFn.vtd_dev_to_context_entry,
      reHi,
      reLo,
      16,
      VtdFault.RootTableAccess,
      0,
    );
    return VtdFault.RootTableAccess;
  }
  log?.add(Structure.RootEntry, QemuFn.vtd_dev_to_context_entry, reHi, reLo, 16, 0, 0);

  // vtd_root_entry_present: in scalable mode devfn 128-255 use the upper half.
  const upper = devfn > 127;
  const present = upper ? (re[2] ?? 0) & 1 : (re[0] ?? 0) & 1;
  if (!present) return VtdFault.RootEntryNotPresent;

  if (rootEntryReservedBitsSet(re, caps.awBits)) return VtdFault.RootEntryReserved;

  // vtd_get_context_entry_from_root: CTP of the right half + (devfn & 0x7f) * 32.
  const ctpLo = ((upper ? (re[2] ?? 0) : (re[0] ?? 0)) & 0xffff_f000) >>> 0;
  const ctpHi = upper ? (re[3] ?? 0) : (re[1] ?? 0);
  addAddress(ctpHi, ctpLo, (devfn & 0x7f) * 32);
  const ceHi = sum.hi;
  const ceLo = sum.lo;
  if (!dmaRead(memory, ceHi, ceLo, 8, ce, 0)) {
    log?.add(
      Structure.ContextEntry,
      QemuFn.vtd_dev_to_context_entry,
      ceHi,
      ceLo,
      32,
      VtdFault.ContextTableAccess,
      0,
    );
    return VtdFault.ContextTableAccess;
  }
  log?.add(Structure.ContextEntry, QemuFn.vtd_dev_to_context_entry, ceHi, ceLo, 32, 0, 0);

  if (((ce[0] ?? 0) & 1) === 0) return VtdFault.ContextEntryNotPresent;
  if (contextEntryReservedBitsSet(ce, caps.awBits)) return VtdFault.ContextEntryReserved;

  // vtd_ce_pasid_0_check: the present context entry must have a valid PASID-0 entry.
  if (log) log.inPasid0Check = true;
  const fault = vtdGetPeFromPasidTable(v, contextDirHi(ce), contextDirLo(ce), 0, pe0, dir, log);
  if (log) log.inPasid0Check = false;
  return fault;
}

/** VTD_CE_GET_PASID_DIR_TABLE: val[0] & ~0xfff (high half). */
export function contextDirHi(ce: Uint32Array): number {
  return ce[1] ?? 0;
}

/** VTD_CE_GET_PASID_DIR_TABLE: val[0] & ~0xfff (low half). */
export function contextDirLo(ce: Uint32Array): number {
  return ((ce[0] ?? 0) & 0xffff_f000) >>> 0;
}

/** PDTS: val[0] bits 11:9. */
export function contextPdts(ce: Uint32Array): number {
  return ((ce[0] ?? 0) >>> 9) & 7;
}
