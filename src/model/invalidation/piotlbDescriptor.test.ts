import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePiotlb } from '../qemu/vtdHostBinding.ts';
import { vtdCapInit } from '../qemu/vtdCapInit.ts';
import { vtdInvDescCheck } from '../qemu/vtdInvalidationQueue.ts';
import { IOMMU_DEFAULTS } from '../scenario/scenarioTypes.ts';
import {
  PIOTLB_MAX_AM,
  decodePiotlbFields,
  encodePiotlbDescriptor,
  type PiotlbFields,
} from './piotlbDescriptor.ts';

const fields = fc.record({
  granularity: fc.constantFrom<'pasid' | 'page'>('pasid', 'page'),
  did: fc.integer({ min: 0, max: 0xffff }),
  pasid: fc.integer({ min: 0, max: 0xfffff }),
  addr: fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }).map((p) => p << 12n),
  am: fc.integer({ min: 0, max: PIOTLB_MAX_AM }),
  ih: fc.boolean(),
});

const caps = vtdCapInit({ ...IOMMU_DEFAULTS, rootTableAddr: 0x1000n });

describe('the PASID-IOTLB descriptor by field', () => {
  it('is the raw descriptor host-side.md gives', () => {
    expect(
      encodePiotlbDescriptor({
        granularity: 'page',
        did: 3,
        pasid: 5,
        addr: 0x7000n,
        am: 2,
        ih: true,
      }),
    ).toEqual([6n | (3n << 4n) | (3n << 16n) | (5n << 32n), 0x7000n | 0x40n | 2n, 0n, 0n]);
    expect(
      encodePiotlbDescriptor({
        granularity: 'pasid',
        did: 1,
        pasid: 0,
        addr: 0n,
        am: 0,
        ih: false,
      }),
    ).toEqual([0x26n | (1n << 16n), 0n, 0n, 0n]);
  });

  it('round-trips through its decoder and through QEMU’s reading of it (vtd_process_piotlb_desc)', () => {
    fc.assert(
      fc.property(fields, (f: PiotlbFields) => {
        const words = encodePiotlbDescriptor(f);
        // No reserved bit set: QEMU's checks pass (256-bit queue).
        expect(vtdInvDescCheck(caps, words)).toBeUndefined();
        expect(decodePiotlbFields(words)).toEqual({
          granularity: f.granularity === 'pasid' ? 2 : 3,
          did: f.did,
          pasid: f.pasid,
          addr: f.addr,
          am: f.am,
          ih: f.ih,
        });
        const q = decodePiotlb(words);
        expect(q.did).toBe(f.did);
        expect(q.pasid).toBe(f.pasid);
        if (f.granularity === 'page') {
          expect(q).toEqual({
            did: f.did,
            pasid: f.pasid,
            addr: f.addr,
            npages: 1n << BigInt(f.am),
            flags: f.ih ? 1 : 0,
          });
        } else {
          expect(q.npages).toBe(0xffff_ffff_ffff_ffffn);
        }
      }),
    );
  });
});
