// vtd_get_pdire_from_pdir_table, vtd_pe_type_check, vtd_get_pe_in_pasid_leaf_table,
// vtd_get_pe_from_pasid_table and vtd_dev_get_pe_from_pasid (hw/i386/intel_iommu.c).
//
// Entries live in Uint32Array scratch buffers as 32-bit halves: a PASID entry is 16 halves
// (val[i] = pe[2i] | pe[2i+1] << 32), a directory entry 2. None of this allocates.

import type { GuestMemory } from '../memory/guestMemory.ts';
import { QemuFn, Structure } from '../trace/traceFormat.ts';
import { addAddress, dmaRead, inRam, sum } from './dma.ts';
import type { ReadLog } from './readLog.ts';
import type { VtdCaps } from './vtdCapInit.ts';
import { contextDirHi, contextDirLo, vtdDevToContextEntry } from './vtdContextEntry.ts';
import { VtdFault } from './vtdFaults.ts';

// Module-level aliases (see vtdAccelPasidCache.ts): the removal pass runs these per entry.
const readDma = dmaRead;
const inRamAt = inRam;
const addAddr = addAddress;
const sumOut = sum;
const STRUCT_DIR = Structure.PasidDirEntry;
const STRUCT_LEAF = Structure.PasidEntry;
const FN_PDIRE = QemuFn.vtd_get_pdire_from_pdir_table;
const FN_LEAF = QemuFn.vtd_get_pe_in_pasid_leaf_table;
const F_DIR_ACCESS = VtdFault.PasidDirAccess;
const F_DIR_NOT_PRESENT = VtdFault.PasidDirEntryNotPresent;
const F_TABLE_ACCESS = VtdFault.PasidTableAccess;
const F_NOT_PRESENT = VtdFault.PasidEntryNotPresent;
const F_ENTRY_INVALID = VtdFault.PasidTableEntryInvalid;

/** What the lookups read from: guest memory as it is now, and QEMU's capabilities. */
export interface VtdMemoryView {
  readonly memory: GuestMemory;
  readonly caps: VtdCaps;
}

/** Scratch buffers a full lookup needs. */
export interface LookupScratch {
  readonly re: Uint32Array;
  readonly ce: Uint32Array;
  readonly dir: Uint32Array;
  /** The PASID-0 check's own entry buffer (a separate local in QEMU). */
  readonly pe0: Uint32Array;
}

export function createLookupScratch(): LookupScratch {
  return {
    re: new Uint32Array(4),
    ce: new Uint32Array(8),
    dir: new Uint32Array(2),
    pe0: new Uint32Array(16),
  };
}

/**
 * vtd_pe_type_check plus the level checks of vtd_get_pe_in_pasid_leaf_table, on the low halves of
 * val[0] and val[2]. Returns 0 or 0x5b. QEMU runs these before it looks at the present bit.
 */
export function pasidEntryTypeFault(caps: VtdCaps, val0Lo: number, val2Lo: number): number {
  switch ((val0Lo >>> 6) & 7) {
    case 1:
      // First stage: needs ECAP.FSTS, and only 4-level paging (FSPM 0) is supported.
      if (!caps.ecapFsts) return F_ENTRY_INVALID;
      return ((val2Lo >>> 2) & 3) === 0 ? 0 : F_ENTRY_INVALID;
    case 2: {
      // Second stage: needs ECAP.SSTS and a level (AW + 2) in CAP.SAGAW.
      if (!caps.ecapSsts) return F_ENTRY_INVALID;
      const level = 2 + ((val0Lo >>> 2) & 7);
      const ok = (level === 3 && caps.sagaw3Level) || (level === 4 && caps.sagaw4Level);
      return ok ? 0 : F_ENTRY_INVALID;
    }
    case 4:
      return caps.ecapPt ? 0 : F_ENTRY_INVALID;
    default:
      // 0 invalid, 3 nested ("not supported yet"), 5-7 reserved.
      return F_ENTRY_INVALID;
  }
}

/**
 * vtd_get_pdire_from_pdir_table: reads the 8-byte directory entry for `pasid` at
 * dir + ((pasid >> 6) & 0x3fff) * 8. Returns 0 or 0x50; the present bit is the caller's job.
 */
export function vtdGetPdireFromPdirTable(
  v: VtdMemoryView,
  dirHi: number,
  dirLo: number,
  pasid: number,
  out: Uint32Array,
  log: ReadLog | null,
): number {
  addAddr(dirHi, dirLo, ((pasid >>> 6) & 0x3fff) * 8);
  const hi = sumOut.hi;
  const lo = sumOut.lo;
  const ok = readDma(v.memory, hi, lo, 2, out, 0);
  const fault = ok ? 0 : F_DIR_ACCESS;
  log?.add(STRUCT_DIR, FN_PDIRE, hi, lo, 8, fault, pasid);
  return fault;
}

/**
 * vtd_get_pe_in_pasid_leaf_table: reads the 64-byte entry at table + (pasid & 0x3f) * 64 into pe.
 * Returns 0x58 when the read leaves RAM (pe then holds the in-RAM bytes and zeros), 0x5b when the
 * type / level check fails (even for a non-present entry), else 0 without looking at P.
 */
export function vtdGetPeInPasidLeafTable(
  v: VtdMemoryView,
  pasid: number,
  tableHi: number,
  tableLo: number,
  pe: Uint32Array,
  log: ReadLog | null,
): number {
  addAddr(tableHi, tableLo, (pasid & 0x3f) * 64);
  const hi = sumOut.hi;
  const lo = sumOut.lo;
  let fault: number;
  if (!readDma(v.memory, hi, lo, 16, pe, 0)) {
    fault = F_TABLE_ACCESS;
  } else {
    fault = pasidEntryTypeFault(v.caps, pe[0] ?? 0, pe[4] ?? 0);
  }
  log?.add(STRUCT_LEAF, FN_LEAF, hi, lo, 64, fault === F_TABLE_ACCESS ? fault : 0, pasid);
  return fault;
}

/**
 * vtd_get_pe_in_pasid_leaf_table followed by the present check, reading the entry in place
 * (no copy): 0, 0x58, 0x5b or 0x59. For loops that only need the verdict (the removal pass).
 */
export function pasidEntryFaultInPlace(
  v: VtdMemoryView,
  tableHi: number,
  tableLo: number,
  pasid: number,
): number {
  addAddr(tableHi, tableLo, (pasid & 0x3f) * 64);
  const hi = sumOut.hi;
  const lo = sumOut.lo;
  if (!inRamAt(v.memory, hi, lo, 64)) return F_TABLE_ACCESS;
  const page = v.memory.pageAt(hi * 1048576 + (lo >>> 12));
  if (!page) return F_ENTRY_INVALID;
  const i = (lo & 0xfff) >>> 2;
  const w0 = page[i] ?? 0;
  const typeFault = pasidEntryTypeFault(v.caps, w0, page[i + 4] ?? 0);
  if (typeFault) return typeFault;
  return w0 & 1 ? 0 : F_NOT_PRESENT;
}

/**
 * vtd_get_pe_from_pasid_table (via vtd_ce_get_pasid_entry): directory read error, directory entry
 * not present (0x51), leaf read / type error, leaf not present (0x59), else 0. pe is only written
 * once the leaf read starts, so after an earlier failure it keeps what the caller put there.
 */
export function vtdGetPeFromPasidTable(
  v: VtdMemoryView,
  dirHi: number,
  dirLo: number,
  pasid: number,
  pe: Uint32Array,
  dir: Uint32Array,
  log: ReadLog | null,
): number {
  const dirFault = vtdGetPdireFromPdirTable(v, dirHi, dirLo, pasid, dir, log);
  if (dirFault) return dirFault;
  if (((dir[0] ?? 0) & 1) === 0) return F_DIR_NOT_PRESENT;
  // vtd_get_pe_from_pdire: table = pdire & ~0xfff (no address-width masking).
  const tableLo = ((dir[0] ?? 0) & 0xffff_f000) >>> 0;
  const tableHi = dir[1] ?? 0;
  const leafFault = vtdGetPeInPasidLeafTable(v, pasid, tableHi, tableLo, pe, log);
  if (leafFault) return leafFault;
  if (((pe[0] ?? 0) & 1) === 0) return F_NOT_PRESENT;
  return 0;
}

/**
 * vtd_dev_get_pe_from_pasid: 0x31 unless root_scalable, then vtd_dev_to_context_entry (with the
 * PASID-0 check), then the directory / leaf lookup of `pasid`. It does not look at dmar_enabled.
 */
export function vtdDevGetPeFromPasid(
  v: VtdMemoryView,
  bus: number,
  devfn: number,
  pasid: number,
  pe: Uint32Array,
  s: LookupScratch,
  log: ReadLog | null,
): number {
  if (!v.caps.rootScalable) return VtdFault.RtaddrInvalidTtm;
  const ctxFault = vtdDevToContextEntry(v, bus, devfn, s.ce, s.re, s.dir, s.pe0, log);
  if (ctxFault) return ctxFault;
  return vtdGetPeFromPasidTable(v, contextDirHi(s.ce), contextDirLo(s.ce), pasid, pe, s.dir, log);
}
