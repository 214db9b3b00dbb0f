// Scalable-mode context entry (256-bit), 128 per 4 KiB context table.

import { CONTEXT_ENTRY } from '../bits/structures.ts';
import { fieldReader, fieldWriter } from './fieldCodec.ts';

export interface ScalableContextEntry {
  readonly present: boolean;
  readonly fpd: boolean;
  readonly dte: boolean;
  readonly paside: boolean;
  readonly pre: boolean;
  /** bits 8:5 (reserved) */
  readonly reserved0: number;
  /** The PASID directory has 2^(PDTS+7) entries. */
  readonly pdts: number;
  /** PASID directory base (4 KiB aligned). */
  readonly pasidDirPtr: bigint;
  /** RID_PASID: QEMU ignores it and always uses PASID 0. */
  readonly ridPasid: number;
  readonly ridPriv: boolean;
  /** val[1] bits 63:21 */
  readonly reserved1: bigint;
  readonly reserved2: bigint;
  readonly reserved3: bigint;
}

export function decodeContextEntry(words: readonly bigint[]): ScalableContextEntry {
  const r = fieldReader(CONTEXT_ENTRY, words);
  return {
    present: r.flag('present'),
    fpd: r.flag('fpd'),
    dte: r.flag('dte'),
    paside: r.flag('paside'),
    pre: r.flag('pre'),
    reserved0: r.num('reserved0'),
    pdts: r.num('pdts'),
    pasidDirPtr: r.addr('pasidDirPtr'),
    ridPasid: r.num('ridPasid'),
    ridPriv: r.flag('ridPriv'),
    reserved1: r.raw('reserved1'),
    reserved2: r.raw('reserved2'),
    reserved3: r.raw('reserved3'),
  };
}

export function encodeContextEntry(e: ScalableContextEntry): [bigint, bigint, bigint, bigint] {
  const w = fieldWriter(CONTEXT_ENTRY);
  w.flag('present', e.present);
  w.flag('fpd', e.fpd);
  w.flag('dte', e.dte);
  w.flag('paside', e.paside);
  w.flag('pre', e.pre);
  w.num('reserved0', e.reserved0);
  w.num('pdts', e.pdts);
  w.addr('pasidDirPtr', e.pasidDirPtr);
  w.num('ridPasid', e.ridPasid);
  w.flag('ridPriv', e.ridPriv);
  w.raw('reserved1', e.reserved1);
  w.raw('reserved2', e.reserved2);
  w.raw('reserved3', e.reserved3);
  const [a = 0n, b = 0n, c = 0n, d = 0n] = w.words();
  return [a, b, c, d];
}

/** Number of PASID directory entries the context entry declares: 2^(PDTS+7). */
export function pasidDirEntryCount(pdts: number): number {
  return 1 << (pdts + 7);
}

/** Context entry address for devfn, given the context table of the right root half. */
export function contextEntryAddress(contextTable: bigint, devfn: number): bigint {
  return BigInt.asUintN(64, contextTable + BigInt(devfn & 0x7f) * 32n);
}
