// QEMU's own lookups, run on demand for the editors' previews ("what will QEMU make of this entry")
// and the cache views' stale checks. Composes the model's functions; decides nothing itself. Cheap
// (a handful of guest reads), so the main thread may call it directly.

import {
  createLookupScratch,
  vtdCapInit,
  vtdDevGetPeFromPasid,
  vtdDevToContextEntry,
  type GuestMemory,
  type IommuConfig,
} from '../model/core.ts';

export interface PasidLookup {
  /** 0 when QEMU finds a valid entry, else the VTDFaultReason its lookup returns. */
  readonly fault: number;
  /** The leaf entry's words when the lookup got as far as reading it. */
  readonly words: readonly bigint[] | undefined;
}

function wordsOf(halves: Uint32Array): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i + 1 < halves.length; i += 2) {
    out.push((BigInt(halves[i + 1] ?? 0) << 32n) | BigInt(halves[i] ?? 0));
  }
  return out;
}

/** vtd_dev_to_context_entry for one device: 0 or the fault (PASID-0 check included). */
export function contextLookupFault(
  memory: GuestMemory,
  iommu: IommuConfig,
  bus: number,
  devfn: number,
): number {
  const s = createLookupScratch();
  return vtdDevToContextEntry(
    { memory, caps: vtdCapInit(iommu) },
    bus,
    devfn,
    s.ce,
    s.re,
    s.dir,
    s.pe0,
    null,
  );
}

/** vtd_dev_get_pe_from_pasid: QEMU's full lookup of one PASID of one device. */
export function pasidLookup(
  memory: GuestMemory,
  iommu: IommuConfig,
  bus: number,
  devfn: number,
  pasid: number,
): PasidLookup {
  const s = createLookupScratch();
  const pe = new Uint32Array(16);
  const fault = vtdDevGetPeFromPasid(
    { memory, caps: vtdCapInit(iommu) },
    bus,
    devfn,
    pasid,
    pe,
    s,
    null,
  );
  const reachedLeaf = fault === 0 || fault === 0x59 || fault === 0x5b;
  return { fault, words: reachedLeaf ? wordsOf(pe) : undefined };
}
