import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeContextEntry, encodeContextEntry, pasidDirEntryCount } from './contextEntry.ts';
import {
  decodePasidDirEntry,
  encodePasidDirEntry,
  pasidDirEntryAddress,
  pasidEntryAddress,
} from './pasidDirEntry.ts';
import { decodePasidEntry, encodePasidEntry } from './pasidEntry.ts';
import { decodeRootEntry, encodeRootEntry } from './rootEntry.ts';

const u = (bits: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: 2 ** bits - 1 });
const big = (bits: number): fc.Arbitrary<bigint> =>
  fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
/** A page-aligned 64-bit address. */
const pageAddr = big(52).map((v) => v << 12n);

describe('root entry', () => {
  it('decodes the present bits and context table pointers', () => {
    const e = decodeRootEntry([0x6138001n, 0x6161001n]);
    expect(e).toMatchObject({
      lowerPresent: true,
      lowerContextTable: 0x6138000n,
      upperPresent: true,
      upperContextTable: 0x6161000n,
      lowerReserved: 0,
    });
  });
  test.prop([fc.boolean(), u(11), pageAddr, fc.boolean(), u(11), pageAddr])(
    'decode(encode(x)) = x',
    (lp, lr, lc, up, ur, uc) => {
      const x = {
        lowerPresent: lp,
        lowerReserved: lr,
        lowerContextTable: lc,
        upperPresent: up,
        upperReserved: ur,
        upperContextTable: uc,
      };
      expect(decodeRootEntry(encodeRootEntry(x))).toEqual(x);
    },
  );
});

describe('scalable-mode context entry', () => {
  it('decodes PDTS and the directory pointer as Linux writes them', () => {
    const e = decodeContextEntry([0x6057401n, 0n, 0n, 0n]);
    expect(e.present).toBe(true);
    expect(e.pdts).toBe(2);
    expect(e.pasidDirPtr).toBe(0x6057000n);
    expect(pasidDirEntryCount(e.pdts)).toBe(512);
  });
  test.prop([
    fc.record({
      present: fc.boolean(),
      fpd: fc.boolean(),
      dte: fc.boolean(),
      paside: fc.boolean(),
      pre: fc.boolean(),
      reserved0: u(4),
      pdts: u(3),
      pasidDirPtr: pageAddr,
      ridPasid: u(20),
      ridPriv: fc.boolean(),
      reserved1: big(43),
      reserved2: big(64),
      reserved3: big(64),
    }),
  ])('decode(encode(x)) = x', (x) => {
    expect(decodeContextEntry(encodeContextEntry(x))).toEqual(x);
  });
});

describe('PASID directory entry', () => {
  it('computes entry addresses from the PASID', () => {
    expect(pasidDirEntryAddress(0x1000n, 0x41)).toBe(0x1008n);
    expect(pasidEntryAddress(0x2000n, 0x41)).toBe(0x2040n);
  });
  test.prop([
    fc.record({
      present: fc.boolean(),
      fpd: fc.boolean(),
      reserved: u(10),
      pasidTablePtr: pageAddr,
    }),
  ])('decode(encode(x)) = x', (x) => {
    expect(decodePasidDirEntry(encodePasidDirEntry(x))).toEqual(x);
  });
});

describe('PASID table entry', () => {
  it('decodes a Linux second-stage entry', () => {
    const e = decodePasidEntry([0x610e089n, 2n, 0n, 0n, 0n, 0n, 0n, 0n]);
    expect(e).toMatchObject({ present: true, pgtt: 2, aw: 2, did: 2, ssptptr: 0x610e000n });
  });
  const entry = fc.record({
    present: fc.boolean(),
    fpd: fc.boolean(),
    aw: u(3),
    pgtt: u(3),
    ssade: fc.boolean(),
    ssptptr: pageAddr,
    did: u(16),
    pwsnp: fc.boolean(),
    pgsnp: fc.boolean(),
    sre: fc.boolean(),
    fspm: u(2),
    wpe: fc.boolean(),
    nxe: fc.boolean(),
    eafe: fc.boolean(),
    fsptptr: pageAddr,
  });
  test.prop([entry])('decode(encode(x)) = x', (x) => {
    expect(decodePasidEntry(encodePasidEntry(x))).toEqual(x);
  });
  test.prop([entry, fc.array(big(64), { minLength: 8, maxLength: 8 })])(
    'encoding over base words keeps the bits no field owns',
    (x, base) => {
      const words = encodePasidEntry(x, base);
      expect(words.slice(3)).toEqual(base.slice(3));
      expect(decodePasidEntry(words)).toEqual(x);
    },
  );
});
