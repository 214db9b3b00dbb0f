// Root entry (128-bit, scalable mode): one per bus; the lower half serves devfn 0-127, the upper
// half devfn 128-255.

import { ROOT_ENTRY } from '../bits/structures.ts';
import { fieldReader, fieldWriter } from './fieldCodec.ts';

export interface RootEntry {
  readonly lowerPresent: boolean;
  /** bits 11:1 of the low word (QEMU rejects the entry when set) */
  readonly lowerReserved: number;
  /** Lower scalable-mode context table address (4 KiB aligned). */
  readonly lowerContextTable: bigint;
  readonly upperPresent: boolean;
  readonly upperReserved: number;
  readonly upperContextTable: bigint;
}

export function decodeRootEntry(words: readonly bigint[]): RootEntry {
  const r = fieldReader(ROOT_ENTRY, words);
  return {
    lowerPresent: r.flag('lowerPresent'),
    lowerReserved: r.num('lowerReserved'),
    lowerContextTable: r.addr('lowerContextTable'),
    upperPresent: r.flag('upperPresent'),
    upperReserved: r.num('upperReserved'),
    upperContextTable: r.addr('upperContextTable'),
  };
}

export function encodeRootEntry(e: RootEntry): [bigint, bigint] {
  const w = fieldWriter(ROOT_ENTRY);
  w.flag('lowerPresent', e.lowerPresent);
  w.num('lowerReserved', e.lowerReserved);
  w.addr('lowerContextTable', e.lowerContextTable);
  w.flag('upperPresent', e.upperPresent);
  w.num('upperReserved', e.upperReserved);
  w.addr('upperContextTable', e.upperContextTable);
  const [lo = 0n, hi = 0n] = w.words();
  return [lo, hi];
}

/** Root table entry address: root + bus * 16. */
export function rootEntryAddress(rootTable: bigint, bus: number): bigint {
  return BigInt.asUintN(64, rootTable + BigInt(bus) * 16n);
}
