// Invalidation descriptor types: the type code QEMU switches on (VTD_INV_DESC_TYPE) and the
// names its vtd_inv_desc trace event prints.

export const DescType = {
  ContextCache: 1,
  Iotlb: 2,
  DeviceIotlb: 3,
  InterruptEntryCache: 4,
  Wait: 5,
  PasidIotlb: 6,
  PasidCache: 7,
  PasidDeviceIotlb: 8,
  PageGroupResponse: 9,
} as const;
export type DescType = (typeof DescType)[keyof typeof DescType];

/** Type code = bits 3:0 plus bits 11:9 as type[6:4]. */
export function descriptorTypeCode(val0: bigint): number {
  const lo = Number(val0 & 0xfffn);
  return ((lo >> 5) & 0x70) | (lo & 0xf);
}

const NAMES: Readonly<Record<number, string>> = {
  1: 'context-cache',
  2: 'iotlb',
  3: 'device',
  4: 'iec',
  5: 'wait',
  6: 'p-iotlb',
  7: 'pasid-cache',
  8: 'device-piotlb',
  9: 'page group response',
};

/** QEMU's type string for the vtd_inv_desc trace event; undefined for a type QEMU rejects. */
export function descriptorTypeName(code: number): string | undefined {
  return NAMES[code];
}

/** Longer names for people. */
export const DESCRIPTOR_TYPE_TITLES: Readonly<Record<number, string>> = {
  1: 'Context-cache invalidation',
  2: 'IOTLB invalidation',
  3: 'Device-TLB invalidation',
  4: 'Interrupt entry cache invalidation',
  5: 'Invalidation wait',
  6: 'PASID-based IOTLB invalidation',
  7: 'PASID-cache invalidation',
  8: 'PASID-based device-TLB invalidation',
  9: 'Page group response',
};
