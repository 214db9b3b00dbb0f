// Reading and writing the scalar values of a scenario file: 64-bit hex strings, small integers,
// BDFs. Every reader returns a message that says what was expected and what was found, so a
// person can fix the file from the message alone.

export type ValueResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** One past the highest byte address: guest memory is [0, 2^64), and nothing in a file wraps. */
export const ADDRESS_SPACE_END = 1n << 64n;
const MAX_U64 = ADDRESS_SPACE_END - 1n;
const HEX_RE = /^0[xX][0-9a-fA-F]+$/;

/** A short rendering of any JSON value for an error message. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') {
    const s = v.length > 40 ? `${v.slice(0, 37)}...` : v;
    return JSON.stringify(s);
  }
  if (typeof v === 'number') return Number.isInteger(v) ? `the number ${v}` : `the number ${v}`;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

/** Lower-case hex with the "0x" prefix and no padding ("0x1f"). */
export function hexAddr(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}

/** A 64-bit word as 16 lower-case hex digits ("0x000000000000abcd"), as the contract prints words. */
export function hexWord(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;
}

/** A 64-bit value written as a hex string "0x..." (any case, no separators). */
export function readHex64(v: unknown, what = 'a hex string like 0x1f'): ValueResult<bigint> {
  if (typeof v !== 'string') {
    const hint = typeof v === 'number' ? ' (64-bit values are written as hex strings)' : '';
    return { ok: false, message: `expected ${what}${hint}, got ${describeValue(v)}` };
  }
  if (!HEX_RE.test(v)) return { ok: false, message: `expected ${what}, got ${describeValue(v)}` };
  const value = BigInt(v);
  if (value > MAX_U64) {
    return {
      ok: false,
      message: `expected a 64-bit value (at most 16 hex digits), got ${describeValue(v)}`,
    };
  }
  return { ok: true, value };
}

/**
 * A small unsigned value: a JSON integer or a hex string. `what` names it for the message
 * ("a PASID"); `max` is inclusive.
 */
export function readSmallInt(v: unknown, max: number, what: string): ValueResult<number> {
  const range = `${what}: an integer 0..${max > 255 ? hexAddr(max) : max}`;
  let n: number | undefined;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v))
      return { ok: false, message: `expected ${range}, got ${describeValue(v)}` };
    n = v;
  } else if (typeof v === 'string' && HEX_RE.test(v)) {
    const big = BigInt(v);
    if (big > BigInt(max)) {
      return {
        ok: false,
        message: `expected ${range}, got ${describeValue(v)} (${big.toString()})`,
      };
    }
    n = Number(big);
  } else {
    return {
      ok: false,
      message: `expected ${range} (a JSON number or a hex string), got ${describeValue(v)}`,
    };
  }
  if (n < 0 || n > max) return { ok: false, message: `expected ${range}, got ${n}` };
  return { ok: true, value: n };
}

export interface Bdf {
  /** canonical "bb:dd.f", lower case */
  readonly bdf: string;
  readonly bus: number;
  readonly devfn: number;
}

const BDF_RE = /^(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;
const BDF_EXPECTED = 'a BDF like 00:02.0 (bus:device.function in hex, device 00-1f, function 0-7)';

/** "BB:DD.F" as lspci prints it (an optional "0000:" domain is accepted and dropped). */
export function readBdf(v: unknown): ValueResult<Bdf> {
  if (typeof v !== 'string')
    return { ok: false, message: `expected ${BDF_EXPECTED}, got ${describeValue(v)}` };
  const m = BDF_RE.exec(v);
  if (!m) return { ok: false, message: `expected ${BDF_EXPECTED}, got ${describeValue(v)}` };
  const [, domain, busHex, devHex, fnDigit] = m;
  if (domain !== undefined && parseInt(domain, 16) !== 0) {
    return {
      ok: false,
      message: `expected PCI domain 0000 (one vIOMMU, one segment), got ${describeValue(v)}`,
    };
  }
  const bus = parseInt(busHex ?? '', 16);
  const dev = parseInt(devHex ?? '', 16);
  const fn = parseInt(fnDigit ?? '', 10);
  if (dev > 0x1f)
    return { ok: false, message: `expected ${BDF_EXPECTED}, got ${describeValue(v)}` };
  return { ok: true, value: { bdf: formatBdf(bus, (dev << 3) | fn), bus, devfn: (dev << 3) | fn } };
}

export function formatBdf(bus: number, devfn: number): string {
  const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
  return `${hex2(bus)}:${hex2(devfn >> 3)}.${(devfn & 7).toString(16)}`;
}
