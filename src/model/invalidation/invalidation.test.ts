import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  decodeContextCacheDescriptor,
  encodeContextCacheDescriptor,
  functionMaskIgnoredBits,
} from './contextCacheDescriptor.ts';
import { descriptorTypeCode, descriptorTypeName } from './descriptorType.ts';
import {
  decodePasidCacheInvDescriptor,
  encodePasidCacheInvDescriptor,
} from './pasidCacheDescriptor.ts';
import type { PcGranularity } from './pasidCacheDescriptor.ts';
import { decodeWaitDescriptor, encodeWaitDescriptor } from './waitDescriptor.ts';

describe('descriptor type code', () => {
  it('is bits 3:0 plus bits 11:9 as bits 6:4', () => {
    expect(descriptorTypeCode(0x7n)).toBe(7);
    expect(descriptorTypeCode(0x37n)).toBe(7);
    expect(descriptorTypeCode(0x200n | 0x7n)).toBe(0x17);
    expect(descriptorTypeCode(0xe00n | 0x5n)).toBe(0x75);
  });
  it("names the types as QEMU's vtd_inv_desc trace does", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(descriptorTypeName)).toEqual([
      'context-cache',
      'iotlb',
      'device',
      'iec',
      'wait',
      'p-iotlb',
      'pasid-cache',
      'device-piotlb',
      'page group response',
    ]);
    expect(descriptorTypeName(0x17)).toBeUndefined();
  });
});

describe('PASID-cache invalidation descriptor', () => {
  it('encodes [7 | G << 4 | did << 16 | pasid << 32, 0, 0, 0]', () => {
    expect(encodePasidCacheInvDescriptor({ granularity: 1, did: 3, pasid: 7 })).toEqual([
      0x0000_0007_0003_0017n,
      0n,
      0n,
      0n,
    ]);
    expect(encodePasidCacheInvDescriptor({ granularity: 3 })).toEqual([0x37n, 0n, 0n, 0n]);
  });
  test.prop([
    fc.constantFrom<PcGranularity>(0, 1, 2, 3),
    fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 0, max: 0xfffff }),
  ])('decode(encode(x)) = x', (granularity, did, pasid) => {
    const d = decodePasidCacheInvDescriptor(
      encodePasidCacheInvDescriptor({ granularity, did, pasid }),
    );
    expect(d).toEqual({ granularity, did, pasid, reservedVal0: 0n, reservedHigh: [0n, 0n, 0n] });
  });
  it('reports reserved bits', () => {
    const d = decodePasidCacheInvDescriptor([0x7n | (1n << 6n) | (1n << 60n), 1n, 0n, 2n]);
    expect(d.reservedVal0).toBe((1n << 6n) | (1n << 60n));
    expect(d.reservedHigh).toEqual([1n, 0n, 2n]);
  });
});

describe('wait descriptor', () => {
  test.prop([
    fc.boolean(),
    fc.boolean(),
    fc.boolean(),
    fc.integer({ min: 0, max: 0xffff_ffff }),
    fc.bigInt({ min: 0n, max: (1n << 62n) - 1n }).map((v) => v << 2n),
  ])('decode(encode(x)) = x', (interruptFlag, statusWrite, fence, statusData, statusAddr) => {
    const d = decodeWaitDescriptor(
      encodeWaitDescriptor({ interruptFlag, statusWrite, fence, statusData, statusAddr }),
    );
    expect(d).toEqual({
      interruptFlag,
      statusWrite,
      fence,
      pageDrain: false,
      statusData,
      statusAddr,
    });
  });
  it('decodes the Linux QI_DONE status write', () => {
    const d = decodeWaitDescriptor([0x0000_0002_0000_0025n, 0x49d_9c2cn]);
    expect(d).toMatchObject({ statusWrite: true, statusData: 2, statusAddr: 0x49d_9c2cn });
  });
});

describe('context-cache descriptor', () => {
  test.prop([
    fc.constantFrom<0 | 1 | 2 | 3>(0, 1, 2, 3),
    fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 0, max: 3 }),
  ])('decode(encode(x)) = x', (granularity, did, sourceId, functionMask) => {
    expect(
      decodeContextCacheDescriptor(
        encodeContextCacheDescriptor({ granularity, did, sourceId, functionMask }),
      ),
    ).toEqual({ granularity, did, sourceId, functionMask });
  });
  it('ignores the devfn bits QEMU masks for each FM value', () => {
    expect([0, 1, 2, 3].map(functionMaskIgnoredBits)).toEqual([0, 4, 6, 7]);
  });
});
