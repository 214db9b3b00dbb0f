// PASID directory entry (64-bit); entry i covers PASIDs [64 i, 64 i + 63].

import { PASID_DIR_ENTRY } from '../bits/structures.ts';
import { fieldReader, fieldWriter } from './fieldCodec.ts';

export interface PasidDirEntry {
  readonly present: boolean;
  readonly fpd: boolean;
  /** bits 11:2, reserved by the spec; QEMU does not check them */
  readonly reserved: number;
  /** PASID table base (4 KiB, 64 entries). */
  readonly pasidTablePtr: bigint;
}

export function decodePasidDirEntry(words: readonly bigint[]): PasidDirEntry {
  const r = fieldReader(PASID_DIR_ENTRY, words);
  return {
    present: r.flag('present'),
    fpd: r.flag('fpd'),
    reserved: r.num('reserved'),
    pasidTablePtr: r.addr('pasidTablePtr'),
  };
}

export function encodePasidDirEntry(e: PasidDirEntry): [bigint] {
  const w = fieldWriter(PASID_DIR_ENTRY);
  w.flag('present', e.present);
  w.flag('fpd', e.fpd);
  w.num('reserved', e.reserved);
  w.addr('pasidTablePtr', e.pasidTablePtr);
  const [v = 0n] = w.words();
  return [v];
}

/** VTD_PASID_DIR_INDEX: (pasid >> 6) & 0x3fff. */
export function pasidDirIndex(pasid: number): number {
  return (pasid >>> 6) & 0x3fff;
}

/** VTD_PASID_TABLE_INDEX: pasid & 0x3f. */
export function pasidTableIndex(pasid: number): number {
  return pasid & 0x3f;
}

export function pasidDirEntryAddress(dirBase: bigint, pasid: number): bigint {
  return BigInt.asUintN(64, dirBase + BigInt(pasidDirIndex(pasid)) * 8n);
}

export function pasidEntryAddress(tableBase: bigint, pasid: number): bigint {
  return BigInt.asUintN(64, tableBase + BigInt(pasidTableIndex(pasid)) * 64n);
}
