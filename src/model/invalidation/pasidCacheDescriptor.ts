// PASID-cache invalidation descriptor (type 7, pc_inv_dsc).

import { PASID_CACHE_DESC_RESERVED_VAL0 } from '../bits/structures.ts';

/** 0 domain-selective, 1 PASID-selective within a domain, 2 reserved, 3 global. */
export type PcGranularity = 0 | 1 | 2 | 3;

export const PcGranularity = {
  Domain: 0,
  Pasid: 1,
  Reserved: 2,
  Global: 3,
} as const;

export interface PasidCacheInvDescriptor {
  readonly granularity: PcGranularity;
  readonly did: number;
  readonly pasid: number;
  /** val[0] & VTD_INV_DESC_PASIDC_RSVD_VAL0 */
  readonly reservedVal0: bigint;
  /** val[1], val[2], val[3]: must be zero. */
  readonly reservedHigh: readonly [bigint, bigint, bigint];
}

export function decodePasidCacheInvDescriptor(desc: readonly bigint[]): PasidCacheInvDescriptor {
  const v0 = desc[0] ?? 0n;
  return {
    granularity: Number((v0 >> 4n) & 3n) as PcGranularity,
    did: Number((v0 >> 16n) & 0xffffn),
    pasid: Number((v0 >> 32n) & 0xfffffn),
    reservedVal0: v0 & PASID_CACHE_DESC_RESERVED_VAL0,
    reservedHigh: [desc[1] ?? 0n, desc[2] ?? 0n, desc[3] ?? 0n],
  };
}

/** [7 | G << 4 | did << 16 | pasid << 32, 0, 0, 0]; missing did / pasid are 0. */
export function encodePasidCacheInvDescriptor(fields: {
  readonly granularity: PcGranularity;
  readonly did?: number;
  readonly pasid?: number;
}): [bigint, bigint, bigint, bigint] {
  const g = BigInt(fields.granularity & 3);
  const did = BigInt((fields.did ?? 0) & 0xffff);
  const pasid = BigInt((fields.pasid ?? 0) & 0xfffff);
  return [7n | (g << 4n) | (did << 16n) | (pasid << 32n), 0n, 0n, 0n];
}

/** The granularity names a scenario file uses. */
export const PC_GRANULARITY_BY_NAME: Readonly<
  Record<'domain' | 'pasid' | 'global', PcGranularity>
> = { domain: 0, pasid: 1, global: 3 };
