// Reserved-bit masks QEMU applies to each descriptor type (intel_iommu_internal.h, mid-2025 plus
// the series' wait-descriptor change). ALL_ONES = "the whole word must be zero".
// `needs256` = QEMU passes dw=true to vtd_inv_desc_reserved_check: the type is only accepted in a
// 256-bit queue.

import {
  CONTEXT_CACHE_DESC_RESERVED_VAL0,
  PASID_CACHE_DESC_RESERVED_VAL0,
  WAIT_DESC_RESERVED_HI,
  WAIT_DESC_RESERVED_LO,
  WAIT_DESC_RESERVED_LO_PDS,
} from '../bits/structures.ts';

export const ALL_ONES = 0xffff_ffff_ffff_ffffn;

export interface DescriptorReservedMasks {
  readonly masks: readonly [bigint, bigint, bigint, bigint];
  readonly needs256: boolean;
}

export const IOTLB_RESERVED_LO = 0xffff_ffff_0000_f100n;
export const IOTLB_RESERVED_HI = 0xf80n;
export const DEVICE_IOTLB_RESERVED_LO = 0xffff_0000_ffe0_f1f0n;
export const DEVICE_IOTLB_RESERVED_HI = 0xffen;
export const IEC_RESERVED = 0xffff_0000_07ff_f1e0n;
export const PIOTLB_RESERVED_VAL0 = 0xfff0_0000_0000_f1c0n;
export const PIOTLB_RESERVED_VAL1 = 0xf80n;
export const PASID_DEVICE_IOTLB_RESERVED_VAL0 = 0xfff0_0000_0000_f000n;
export const PASID_DEVICE_IOTLB_RESERVED_VAL1 = 0x7fen;
/** The page group response handler checks lo/hi itself (no width rule, val[2..3] unchecked). */
export const PAGE_GROUP_RESPONSE_RESERVED_LO = 0xfff0_0000_0000_01e0n;
export const PAGE_GROUP_RESPONSE_RESERVED_HI = 0xffff_ffff_ffff_f003n;
/** Largest address mask (AM) an IOTLB / PASID-IOTLB page invalidation may carry (VTD_MAMV). */
export const MAX_ADDRESS_MASK = 18;

export const RESERVED_MASKS: Readonly<Record<number, DescriptorReservedMasks>> = {
  1: { masks: [CONTEXT_CACHE_DESC_RESERVED_VAL0, ALL_ONES, ALL_ONES, ALL_ONES], needs256: false },
  2: { masks: [IOTLB_RESERVED_LO, IOTLB_RESERVED_HI, ALL_ONES, ALL_ONES], needs256: false },
  3: {
    masks: [DEVICE_IOTLB_RESERVED_LO, DEVICE_IOTLB_RESERVED_HI, ALL_ONES, ALL_ONES],
    needs256: false,
  },
  4: { masks: [IEC_RESERVED, ALL_ONES, ALL_ONES, ALL_ONES], needs256: false },
  5: { masks: [WAIT_DESC_RESERVED_LO, WAIT_DESC_RESERVED_HI, ALL_ONES, ALL_ONES], needs256: false },
  6: { masks: [PIOTLB_RESERVED_VAL0, PIOTLB_RESERVED_VAL1, ALL_ONES, ALL_ONES], needs256: true },
  7: { masks: [PASID_CACHE_DESC_RESERVED_VAL0, ALL_ONES, ALL_ONES, ALL_ONES], needs256: true },
  8: {
    masks: [PASID_DEVICE_IOTLB_RESERVED_VAL0, PASID_DEVICE_IOTLB_RESERVED_VAL1, ALL_ONES, ALL_ONES],
    needs256: true,
  },
};

/** The wait descriptor's masks with ECAP.PDS (QEMU property svm): PD is no longer reserved. */
export const WAIT_RESERVED_MASKS_PDS: DescriptorReservedMasks = {
  masks: [WAIT_DESC_RESERVED_LO_PDS, WAIT_DESC_RESERVED_HI, ALL_ONES, ALL_ONES],
  needs256: false,
};
