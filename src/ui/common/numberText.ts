// Reading numbers people type: hex for words and addresses, decimal (or 0x-hex) for small values.

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Hex with or without "0x"; "_" and spaces are allowed as separators. Must fit in `bits`. */
export function parseHexText(text: string, bits = 64): Parsed<bigint> {
  const t = text.trim().replace(/[_\s]/g, '');
  const body = t.replace(/^0x/i, '');
  if (body === '') return { ok: false, error: 'Type a hex value, e.g. 0x1000.' };
  if (!/^[0-9a-f]+$/i.test(body)) {
    return { ok: false, error: `"${text.trim()}" is not a hex number (digits 0-9 and a-f only).` };
  }
  const value = BigInt(`0x${body}`);
  if (value >= 1n << BigInt(bits)) {
    return {
      ok: false,
      error: `Too large: at most ${bits} bits (0x${((1n << BigInt(bits)) - 1n).toString(16)}).`,
    };
  }
  return { ok: true, value };
}

/** Decimal, or hex with a 0x prefix; an integer in [min, max]. */
export function parseNumberText(text: string, min: number, max: number): Parsed<number> {
  const t = text.trim().replace(/_/g, '');
  let value: number;
  if (/^0x[0-9a-f]+$/i.test(t)) value = parseInt(t.slice(2), 16);
  else if (/^\d+$/.test(t)) value = Number(t);
  else return { ok: false, error: `"${text.trim()}" is not a number.` };
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    return { ok: false, error: `Out of range: ${min}–${max}.` };
  }
  return { ok: true, value };
}

export function formatHex(value: bigint, digits = 0): string {
  return `0x${BigInt.asUintN(64, value).toString(16).padStart(digits, '0')}`;
}

/** "0x0000_1234_5678_9abc" style grouping is avoided: the contract writes 16 plain digits. */
export function formatWord(value: bigint): string {
  return formatHex(value, 16);
}

// One formatter, made once: Number#toLocaleString builds a new one per call, which costs a
// visible fraction of a millisecond in lists that format a number per row.
const COUNT_FORMAT = new Intl.NumberFormat('en-US');

/** A count with thousands separators ("16,384"). */
export function formatCount(n: number): string {
  return COUNT_FORMAT.format(n);
}
