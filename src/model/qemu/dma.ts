// Number-based DMA reads for the QEMU functions. A 64-bit guest address is a (hi, lo) pair of
// unsigned 32-bit halves; sums wrap modulo 2^64 like dma_addr_t. Every structure QEMU reads here
// is aligned to its size (16, 32, 8 or 64 bytes), so one read never crosses a 4 KiB page.

import type { GuestMemory } from '../memory/guestMemory.ts';

const TWO_POW_32 = 4294967296;
/** Addresses with hi >= 2^21 are >= 2^53: beyond any guest RAM the model supports. */
const HI_BEYOND_RAM = 0x20_0000;

/** Result halves of addAddress (module scratch: no allocation on the hot path). */
export const sum = { hi: 0, lo: 0 };

/** (hi, lo) + offset (0 <= offset < 2^32), modulo 2^64, into `sum`. */
export function addAddress(hi: number, lo: number, offset: number): void {
  const l = lo + offset;
  if (l >= TWO_POW_32) {
    sum.lo = l - TWO_POW_32;
    sum.hi = (hi + 1) >>> 0;
  } else {
    sum.lo = l;
    sum.hi = hi;
  }
}

/** True when [addr, addr + bytes) lies inside guest RAM. */
export function inRam(mem: GuestMemory, hi: number, lo: number, bytes: number): boolean {
  if (hi >= HI_BEYOND_RAM) return false;
  return hi * TWO_POW_32 + lo + bytes <= mem.ramLimit;
}

/**
 * Reads `words` 32-bit words at (hi, lo) into out[outOff...]. Returns false when the access leaves
 * guest RAM; like QEMU's dma_memory_read the buffer then holds the bytes that were inside RAM
 * and zeros for the rest.
 */
export function dmaRead(
  mem: GuestMemory,
  hi: number,
  lo: number,
  words: number,
  out: Uint32Array,
  outOff: number,
): boolean {
  const page = mem.pageAt(hi * 1048576 + (lo >>> 12));
  const idx = (lo & 0xfff) >>> 2;
  if (inRam(mem, hi, lo, words * 4)) {
    if (page) {
      for (let k = 0; k < words; k++) out[outOff + k] = page[idx + k] ?? 0;
    } else {
      out.fill(0, outOff, outOff + words);
    }
    return true;
  }
  const base = hi * TWO_POW_32 + lo;
  for (let k = 0; k < words; k++) {
    const at = base + 4 * k;
    const v = page ? (page[idx + k] ?? 0) : 0;
    if (hi >= HI_BEYOND_RAM || at >= mem.ramLimit) {
      out[outOff + k] = 0;
    } else if (at + 4 <= mem.ramLimit) {
      out[outOff + k] = v;
    } else {
      const keep = mem.ramLimit - at;
      out[outOff + k] = (v & (2 ** (8 * keep) - 1)) >>> 0;
    }
  }
  return false;
}
