// A small, hand-built scenario for the state and UI tests: one iommufd device 00:02.0 with PDTS 0,
// directory entry 0 present, PASID 0 (DID 2) and PASID 5 (DID 3) first-stage entries, and a global
// PASID-cache invalidation that caches both. Addresses:
//   root table 0x1000 → context table 0x2000 (entry for devfn 0x10 at 0x2200) → directory 0x3000
//   → PASID table 0x4000 (PASID 0 at 0x4000, PASID 5 at 0x4140).

export const FIXTURE_PASID5_ADDR = 0x4140n;
export const FIXTURE_BDF = '00:02.0';

export const fixtureFile = {
  format: 'pasidscope-scenario',
  version: 1,
  title: 'Test fixture',
  variant: 'series',
  iommu: {
    scalableMode: true,
    fsts: true,
    pasidBits: 20,
    awBits: 48,
    queueWidth: 256,
    rootTableAddr: '0x1000',
    rootScalable: true,
    dmarEnabled: true,
    guestRamBytes: '0x40000000',
  },
  devices: [{ bdf: '00:02.0', backend: 'iommufd', maxPasidLog2: 20, name: 'nic' }],
  memory: [
    { addr: '0x1000', qwords: ['0x0000000000002001', '0x0000000000000000'] },
    { addr: '0x2200', qwords: ['0x0000000000003001', '0x0', '0x0', '0x0'] },
    { addr: '0x3000', qwords: ['0x0000000000004001'] },
    { addr: '0x4000', qwords: ['0x41', '0x2', '0x100000', '0x0', '0x0', '0x0', '0x0', '0x0'] },
    { addr: '0x4140', qwords: ['0x41', '0x3', '0x200000', '0x0', '0x0', '0x0', '0x0', '0x0'] },
  ],
  steps: [{ op: 'invalidate', granularity: 'global' }],
} as const;

export const fixtureText = JSON.stringify(fixtureFile);

/** An in-memory Storage for autosave tests. */
export function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & {
  data: Map<string, string>;
} {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => {
      data.set(k, v);
    },
  };
}
