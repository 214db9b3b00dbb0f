// Context-cache invalidation descriptor (type 1).

/** 0 reserved (rejected), 1 global, 2 domain-selective, 3 device-selective. */
export type CcGranularity = 0 | 1 | 2 | 3;

export interface ContextCacheDescriptor {
  readonly granularity: CcGranularity;
  readonly did: number;
  /** Source ID = bus << 8 | devfn. */
  readonly sourceId: number;
  /** Function mask (FM): how many low devfn bits to ignore when matching. */
  readonly functionMask: number;
}

export function decodeContextCacheDescriptor(desc: readonly bigint[]): ContextCacheDescriptor {
  const lo = desc[0] ?? 0n;
  return {
    granularity: Number((lo >> 4n) & 3n) as CcGranularity,
    did: Number((lo >> 16n) & 0xffffn),
    sourceId: Number((lo >> 32n) & 0xffffn),
    functionMask: Number((lo >> 48n) & 3n),
  };
}

export function encodeContextCacheDescriptor(d: {
  readonly granularity: CcGranularity;
  readonly did?: number;
  readonly sourceId?: number;
  readonly functionMask?: number;
}): [bigint, bigint, bigint, bigint] {
  const lo =
    1n |
    (BigInt(d.granularity & 3) << 4n) |
    (BigInt((d.did ?? 0) & 0xffff) << 16n) |
    (BigInt((d.sourceId ?? 0) & 0xffff) << 32n) |
    (BigInt((d.functionMask ?? 0) & 3) << 48n);
  return [lo, 0n, 0n, 0n];
}

/**
 * The devfn bits a device-selective invalidation ignores, from its function mask (QEMU's
 * vtd_context_device_invalidate): FM 0 none, 1 bit 2, 2 bits 2:1, 3 bits 2:0.
 */
export function functionMaskIgnoredBits(functionMask: number): number {
  switch (functionMask & 3) {
    case 1:
      return 4;
    case 2:
      return 6;
    case 3:
      return 7;
    default:
      return 0;
  }
}
