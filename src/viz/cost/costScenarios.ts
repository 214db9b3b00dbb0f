// Generated scenarios for the cost chart: a guest with N iommufd devices, each with a full-size
// PASID directory (PDTS 7) whose every entry is present, and one global PASID-cache invalidation.
// pasid-bits limits the walk, so the chart shows how one global sync grows with pasid-bits and the
// number of devices. Every directory entry points to one shared leaf table whose first slot is
// present (1 PASID in 64): the reads are those of a fully populated directory, while the model's
// memory and trace stay small. The figures come from running the model on these, not from a formula.

import { IOMMU_DEFAULTS } from '../../model/core.ts';
import type { DeviceConfig, MemoryBlock, Scenario } from '../../model/index.ts';

const ROOT = 0x10_000n;
const CONTEXT_TABLE = 0x11_000n;
const DIRECTORY = 0x100_000n;
const LEAF_TABLE = 0x200_000n;
/** PGTT 1 (first stage), present; DID 1; a first-stage table pointer. */
const FS_ENTRY: readonly bigint[] = [0x41n, 1n, 0x30_0000n, 0n, 0n, 0n, 0n, 0n];

export interface CostPoint {
  readonly devices: number;
  readonly pasidBits: number;
}

export function globalSyncScenario({ devices, pasidBits }: CostPoint): Scenario {
  const devs: DeviceConfig[] = Array.from({ length: devices }, (_, i) => {
    const slot = i + 1;
    return {
      bdf: `00:${slot.toString(16).padStart(2, '0')}.0`,
      bus: 0,
      devfn: slot << 3,
      backend: 'iommufd',
      maxPasidLog2: 20,
      pasidAddressSpaces: [],
    };
  });
  const pdts = 7;
  const memory: MemoryBlock[] = [
    { addr: ROOT, qwords: [CONTEXT_TABLE | 1n, 0n] },
    ...devs.map((d) => ({
      addr: CONTEXT_TABLE + BigInt(d.devfn * 32),
      qwords: [DIRECTORY | BigInt(pdts << 9) | 1n, 0n, 0n, 0n],
    })),
    { addr: DIRECTORY, qwords: new Array<bigint>(16384).fill(LEAF_TABLE | 1n) },
    { addr: LEAF_TABLE, qwords: [...FS_ENTRY] },
  ];
  return {
    title: `Global sync: ${devices.toString()} device(s), pasid-bits ${pasidBits.toString()}`,
    variant: 'series',
    iommu: {
      ...IOMMU_DEFAULTS,
      pasidBits,
      rootTableAddr: ROOT,
    },
    devices: devs,
    memory,
    steps: [{ op: 'invalidate', desc: [0x37n, 0n, 0n, 0n] }],
  };
}

export const COST_DEVICE_COUNTS = [1, 2, 4, 8] as const;
export const COST_PASID_BITS = [4, 8, 12, 14, 16, 18, 20] as const;

/** Every point of the chart, cheapest first (so the chart fills in from the left). */
export function costGrid(): CostPoint[] {
  const points: CostPoint[] = [];
  for (const pasidBits of COST_PASID_BITS) {
    for (const devices of COST_DEVICE_COUNTS) points.push({ devices, pasidBits });
  }
  return points;
}
