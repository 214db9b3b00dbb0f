// Invalidation-wait descriptor (type 5).

export interface WaitDescriptor {
  /** Interrupt on completion. */
  readonly interruptFlag: boolean;
  /** Status write: 4 bytes of statusData to statusAddr. */
  readonly statusWrite: boolean;
  readonly fence: boolean;
  /** Drain page requests (reserved without ECAP.PDS). */
  readonly pageDrain: boolean;
  readonly statusData: number;
  /** hi word as QEMU uses it: the whole value (bits 1:0 are reserved). */
  readonly statusAddr: bigint;
}

export function decodeWaitDescriptor(desc: readonly bigint[]): WaitDescriptor {
  const lo = desc[0] ?? 0n;
  const hi = desc[1] ?? 0n;
  return {
    interruptFlag: (lo & 0x10n) !== 0n,
    statusWrite: (lo & 0x20n) !== 0n,
    fence: (lo & 0x40n) !== 0n,
    pageDrain: (lo & 0x80n) !== 0n,
    statusData: Number((lo >> 32n) & 0xffff_ffffn),
    statusAddr: hi,
  };
}

export function encodeWaitDescriptor(d: {
  readonly interruptFlag?: boolean;
  readonly statusWrite?: boolean;
  readonly fence?: boolean;
  readonly statusData?: number;
  readonly statusAddr?: bigint;
}): [bigint, bigint, bigint, bigint] {
  let lo = 5n;
  if (d.interruptFlag) lo |= 0x10n;
  if (d.statusWrite) lo |= 0x20n;
  if (d.fence) lo |= 0x40n;
  lo |= BigInt((d.statusData ?? 0) >>> 0) << 32n;
  return [lo, BigInt.asUintN(64, d.statusAddr ?? 0n), 0n, 0n];
}
