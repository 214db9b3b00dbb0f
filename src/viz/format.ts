// Number formatting shared by the views, the explanations and the pseudo-code pane, so that a PASID or
// an address reads the same everywhere (hex for PASIDs and addresses, as QEMU's traces print them).

export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/** A 64-bit word as 16 hex digits, grouped by 4 for reading ("0x0000_0000_0010_2001"). */
export function word64(w: bigint): string {
  const s = BigInt.asUintN(64, w).toString(16).padStart(16, '0');
  return `0x${s.slice(0, 4)}_${s.slice(4, 8)}_${s.slice(8, 12)}_${s.slice(12)}`;
}

/** "0x40–0x7f" (inclusive); a single PASID prints once. */
export function pasidRange(first: number, lastInclusive: number): string {
  return first === lastInclusive ? hex(first) : `${hex(first)}–${hex(lastInclusive)}`;
}

// One formatter for the whole app: toLocaleString would build a new one on every call.
const THOUSANDS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Thousands separators, for counts a person reads (16,384 directory entries). */
export function count(n: number): string {
  return n < 1000 && n > -1000 && Number.isInteger(n) ? String(n) : THOUSANDS.format(n);
}

/** "a" or "an" before a word, by its first letter. */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

export function plural(n: number, one: string, many?: string): string {
  return `${count(n)} ${n === 1 ? one : (many ?? `${one}s`)}`;
}

/** Bytes with a binary unit: 64 MiB, 1.5 KiB, 120 B. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  const digits = v >= 100 || u === 0 ? 0 : v >= 10 ? 1 : 2;
  return `${Number(v.toFixed(digits)).toString()} ${units[u] ?? 'B'}`;
}

/** 2^n written as a power when it is one ("2^13 = 8,192"). */
export function powerOfTwo(v: number): string {
  const log = Math.log2(v);
  return Number.isInteger(log) && log > 0 ? `2^${log.toString()}` : count(v);
}

/** QEMU's fault reason codes the PASID-cache paths can return, named as intel_iommu_internal.h does. */
export const FAULT_NAMES: Readonly<Record<number, string>> = {
  0x1: 'root entry not present',
  0x2: 'context entry not present',
  0x3: 'context entry invalid',
  0x8: 'root table read failed',
  0x9: 'context table read failed',
  0xa: 'root entry reserved bits set',
  0xb: 'context entry reserved bits set',
  0x31: 'root table is not scalable (RTADDR_INV_TTM)',
  0x50: 'PASID directory read failed',
  0x51: 'PASID directory entry not present',
  0x58: 'PASID table read failed',
  0x59: 'PASID entry not present',
  0x5b: 'PASID entry invalid (PGTT / level check)',
};

export function faultText(code: number): string {
  const name = FAULT_NAMES[code];
  return name ? `fault ${hex(code)}, ${name}` : `fault ${hex(code)}`;
}
