// Small helpers that turn a bits/ field table into typed decoders and encoders.

import { fieldByName, getField, setField } from '../bits/bitFields.ts';
import type { BitField, StructureLayout } from '../bits/bitFields.ts';

export interface FieldReader {
  readonly flag: (name: string) => boolean;
  readonly num: (name: string) => number;
  /** An address field as the address it stands for (field << lo). */
  readonly addr: (name: string) => bigint;
  readonly raw: (name: string) => bigint;
}

export function fieldReader(layout: StructureLayout, words: readonly bigint[]): FieldReader {
  const f = (name: string): BitField => fieldByName(layout, name);
  return {
    flag: (name) => getField(words, f(name)) !== 0n,
    num: (name) => Number(getField(words, f(name))),
    addr: (name) => getField(words, f(name)) << BigInt(f(name).lo),
    raw: (name) => getField(words, f(name)),
  };
}

export interface FieldWriter {
  readonly flag: (name: string, v: boolean) => void;
  readonly num: (name: string, v: number) => void;
  /** Stores an address field; the implied low bits are dropped. */
  readonly addr: (name: string, v: bigint) => void;
  readonly raw: (name: string, v: bigint) => void;
  readonly words: () => bigint[];
}

export function fieldWriter(layout: StructureLayout, base?: readonly bigint[]): FieldWriter {
  let words: bigint[] = base ? [...base] : [];
  while (words.length < layout.words) words.push(0n);
  const f = (name: string): BitField => fieldByName(layout, name);
  return {
    flag: (name, v) => {
      words = setField(words, f(name), v ? 1n : 0n);
    },
    num: (name, v) => {
      words = setField(words, f(name), BigInt(v));
    },
    addr: (name, v) => {
      const field = f(name);
      words = setField(words, field, BigInt.asUintN(64, v) >> BigInt(field.lo));
    },
    raw: (name, v) => {
      words = setField(words, f(name), v);
    },
    words: () => words,
  };
}
