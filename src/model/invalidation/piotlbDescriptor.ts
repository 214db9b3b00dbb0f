// PASID-based IOTLB invalidation descriptor (type 6, p_iotlb_inv_dsc), by field (host-side.md):
// [6 | G << 4 | did << 16 | pasid << 32, addr | ih << 6 | am, 0, 0], G = 2 (all of the PASID) or
// 3 (page selective). QEMU's reading of it (vtd_process_piotlb_desc) is decodePiotlb in
// qemu/vtdHostBinding.ts; this is the encoder the scenario parser and the composer share.

export type PiotlbGranularity = 'pasid' | 'page';

export interface PiotlbFields {
  readonly granularity: PiotlbGranularity;
  readonly did: number;
  readonly pasid: number;
  /** The first address; bits 11:0 are not part of it (they hold IH and AM). */
  readonly addr: bigint;
  /** Address mask: 2^am pages (QEMU rejects am > 18). */
  readonly am: number;
  /** Invalidation hint: only leaf entries changed. */
  readonly ih: boolean;
}

/** QEMU's limit on the address mask of a page-selective invalidation (VTD_MAMV). */
export const PIOTLB_MAX_AM = 18;

export function encodePiotlbDescriptor(f: PiotlbFields): [bigint, bigint, bigint, bigint] {
  const val0 =
    6n |
    ((f.granularity === 'pasid' ? 2n : 3n) << 4n) |
    (BigInt(f.did & 0xffff) << 16n) |
    (BigInt(f.pasid & 0xfffff) << 32n);
  const val1 = (BigInt.asUintN(64, f.addr) & ~0xfffn) | (f.ih ? 0x40n : 0n) | BigInt(f.am & 0x3f);
  return [val0, val1, 0n, 0n];
}

/** The fields of a type-6 descriptor as written (granularity 0..3: 0 and 1 are rejected). */
export function decodePiotlbFields(desc: readonly bigint[]): {
  readonly granularity: number;
  readonly did: number;
  readonly pasid: number;
  readonly addr: bigint;
  readonly am: number;
  readonly ih: boolean;
} {
  const v0 = desc[0] ?? 0n;
  const v1 = desc[1] ?? 0n;
  return {
    granularity: Number((v0 >> 4n) & 3n),
    did: Number((v0 >> 16n) & 0xffffn),
    pasid: Number((v0 >> 32n) & 0xfffffn),
    addr: v1 & ~0xfffn,
    am: Number(v1 & 0x3fn),
    ih: (v1 & 0x40n) !== 0n,
  };
}
