// Scalable-mode PASID table entry (512-bit). Words 3..7 carry nothing QEMU reads, but they take
// part in the 512-bit equality checks of both caches.

import { PASID_ENTRY } from '../bits/structures.ts';
import { fieldReader, fieldWriter } from './fieldCodec.ts';

export const Pgtt = {
  Invalid: 0,
  FirstStage: 1,
  SecondStage: 2,
  Nested: 3,
  PassThrough: 4,
} as const;

export interface PasidEntry {
  readonly present: boolean;
  readonly fpd: boolean;
  /** Second-stage adjusted guest address width; the walk level is AW + 2. */
  readonly aw: number;
  readonly pgtt: number;
  readonly ssade: boolean;
  readonly ssptptr: bigint;
  readonly did: number;
  readonly pwsnp: boolean;
  readonly pgsnp: boolean;
  readonly sre: boolean;
  /** First-stage paging mode: 0 = 4-level, 1 = 5-level. */
  readonly fspm: number;
  readonly wpe: boolean;
  readonly nxe: boolean;
  readonly eafe: boolean;
  readonly fsptptr: bigint;
}

export function decodePasidEntry(words: readonly bigint[]): PasidEntry {
  const r = fieldReader(PASID_ENTRY, words);
  return {
    present: r.flag('present'),
    fpd: r.flag('fpd'),
    aw: r.num('aw'),
    pgtt: r.num('pgtt'),
    ssade: r.flag('ssade'),
    ssptptr: r.addr('ssptptr'),
    did: r.num('did'),
    pwsnp: r.flag('pwsnp'),
    pgsnp: r.flag('pgsnp'),
    sre: r.flag('sre'),
    fspm: r.num('fspm'),
    wpe: r.flag('wpe'),
    nxe: r.flag('nxe'),
    eafe: r.flag('eafe'),
    fsptptr: r.addr('fsptptr'),
  };
}

/** Encodes the fields over `base` (8 zero words by default), keeping every other bit of base. */
export function encodePasidEntry(e: PasidEntry, base?: readonly bigint[]): bigint[] {
  const w = fieldWriter(PASID_ENTRY, base);
  w.flag('present', e.present);
  w.flag('fpd', e.fpd);
  w.num('aw', e.aw);
  w.num('pgtt', e.pgtt);
  w.flag('ssade', e.ssade);
  w.addr('ssptptr', e.ssptptr);
  w.num('did', e.did);
  w.flag('pwsnp', e.pwsnp);
  w.flag('pgsnp', e.pgsnp);
  w.flag('sre', e.sre);
  w.num('fspm', e.fspm);
  w.flag('wpe', e.wpe);
  w.flag('nxe', e.nxe);
  w.flag('eafe', e.eafe);
  w.addr('fsptptr', e.fsptptr);
  return w.words();
}
