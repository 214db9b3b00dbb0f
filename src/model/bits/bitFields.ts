// Declarative bit-field tables: one table per VT-d structure drives encode, decode, reserved-bit
// checks and the editors. A field lives in one 64-bit word (little-endian word order, val[0] first).

export type FieldKind =
  /** one bit, shown as a checkbox */
  | 'flag'
  /** an unsigned number (DID, PDTS, ...) */
  | 'number'
  /** a small code with named values (PGTT, granularity) */
  | 'enum'
  /** an address whose low bits are implied zero: the field holds bits [lo, lo+width) of the address */
  | 'address'
  /** reserved: must be zero where QEMU checks it */
  | 'reserved';

export interface BitField {
  /** identifier used in code and in the authoring form (camelCase) */
  readonly name: string;
  /** short label as the spec names it (e.g. "PGTT") */
  readonly label: string;
  readonly word: number;
  /** lowest bit within the word */
  readonly lo: number;
  readonly width: number;
  readonly kind: FieldKind;
  /** for 'enum' fields */
  readonly values?: Readonly<Record<number, string>>;
  /** one line: what the field is and what QEMU does with it */
  readonly description: string;
}

export interface StructureLayout {
  readonly name: string;
  /** number of 64-bit words */
  readonly words: number;
  readonly fields: readonly BitField[];
}

function mask(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

/** The raw field value (not shifted back for addresses). */
export function getField(words: readonly bigint[], f: BitField): bigint {
  const w = words[f.word] ?? 0n;
  return (w >> BigInt(f.lo)) & mask(f.width);
}

/** Returns new words with the field replaced; the value is truncated to the field's width. */
export function setField(words: readonly bigint[], f: BitField, value: bigint): bigint[] {
  const out = [...words];
  while (out.length <= f.word) out.push(0n);
  const m = mask(f.width) << BigInt(f.lo);
  const v = (BigInt.asUintN(64, value) << BigInt(f.lo)) & m;
  out[f.word] = BigInt.asUintN(64, ((out[f.word] ?? 0n) & ~m) | v);
  return out;
}

/** The value a person reads: addresses are shown as addresses (field << lo). */
export function fieldDisplayValue(words: readonly bigint[], f: BitField): bigint {
  const raw = getField(words, f);
  return f.kind === 'address' ? raw << BigInt(f.lo) : raw;
}

/** Inverse of fieldDisplayValue: an address value is stored without its implied low bits. */
export function setFieldFromDisplay(
  words: readonly bigint[],
  f: BitField,
  value: bigint,
): bigint[] {
  return setField(words, f, f.kind === 'address' ? value >> BigInt(f.lo) : value);
}

/** Decodes every field into a name -> value map (display values). */
export function decodeFields(
  layout: StructureLayout,
  words: readonly bigint[],
): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const f of layout.fields) out[f.name] = fieldDisplayValue(words, f);
  return out;
}

/** Encodes named display values over `base` (zero words by default). Unknown names throw. */
export function encodeFields(
  layout: StructureLayout,
  values: Readonly<Record<string, bigint | number | boolean>>,
  base?: readonly bigint[],
): bigint[] {
  let words: bigint[] = base ? [...base] : new Array<bigint>(layout.words).fill(0n);
  while (words.length < layout.words) words.push(0n);
  for (const [name, v] of Object.entries(values)) {
    const f = layout.fields.find((x) => x.name === name);
    if (!f) throw new Error(`${layout.name} has no field "${name}"`);
    const big = typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v);
    words = setFieldFromDisplay(words, f, big);
  }
  return words;
}

export function fieldByName(layout: StructureLayout, name: string): BitField {
  const f = layout.fields.find((x) => x.name === name);
  if (!f) throw new Error(`${layout.name} has no field "${name}"`);
  return f;
}
