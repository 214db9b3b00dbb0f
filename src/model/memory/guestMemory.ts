// Sparse guest physical memory, page-granular (4 KiB) with copy-on-write clones.
//
// Pages are Uint32Arrays of little-endian 32-bit halves (qword i of a page = [2i] | [2i+1] << 32),
// so the hot paths (the accel walk) read numbers, never bigints. Addresses wrap modulo 2^64 like
// QEMU's dma_addr_t. Memory outside guest RAM can be written (a scenario may place data there)
// but DMA never sees it: a DMA access of [a, a + len) fails when a + len > ramBytes.

import type { MemoryBlock } from '../scenario/scenarioTypes.ts';

export const PAGE_SHIFT = 12;
export const PAGE_BYTES = 1 << PAGE_SHIFT;
/** 32-bit words per page. */
export const PAGE_WORDS = PAGE_BYTES / 4;

const U64_MASK = 0xffff_ffff_ffff_ffffn;
const TWO_POW_32 = 4294967296;

function pageNumberOf(addr: bigint): number {
  return Number(addr >> BigInt(PAGE_SHIFT));
}

export class GuestMemory {
  /** Guest RAM is [0, ramBytes). */
  readonly ramBytes: bigint;
  /**
   * ramBytes as a double, for the number-based fast paths. Exact below 2^53; no guest has more
   * RAM than that, and any address at or above 2^53 is treated as beyond RAM.
   */
  readonly ramLimit: number;
  private pages: Map<number, Uint32Array>;
  /** Pages this instance may write in place; every other page is shared with a clone. */
  private owned: Set<number>;

  constructor(ramBytes: bigint) {
    if (ramBytes < 0n) throw new RangeError('guest RAM size must not be negative');
    this.ramBytes = ramBytes;
    this.ramLimit = Math.min(Number(ramBytes), 2 ** 53);
    this.pages = new Map();
    this.owned = new Set();
  }

  static fromBlocks(ramBytes: bigint, blocks: readonly MemoryBlock[]): GuestMemory {
    const mem = new GuestMemory(ramBytes);
    for (const b of blocks) mem.writeQwords(b.addr, b.qwords);
    return mem;
  }

  /**
   * Memory made of existing pages (each PAGE_WORDS long), shared rather than copied: a write copies
   * the page first, so the arrays passed in never change. For memory built on another thread.
   */
  static fromPages(ramBytes: bigint, pages: Iterable<readonly [number, Uint32Array]>): GuestMemory {
    const mem = new GuestMemory(ramBytes);
    for (const [pageNumber, page] of pages) {
      if (page.length !== PAGE_WORDS) throw new RangeError('a page holds 1024 32-bit words');
      mem.pages.set(pageNumber, page);
    }
    return mem;
  }

  /** Every page that holds data, by page number (shared: do not write them). */
  pageEntries(): IterableIterator<[number, Uint32Array]> {
    return this.pages.entries();
  }

  /** A copy that shares every page until either side writes it. */
  clone(): GuestMemory {
    const copy = new GuestMemory(this.ramBytes);
    copy.pages = new Map(this.pages);
    // Both sides now share every page: the next write on either side copies it first.
    this.owned = new Set();
    return copy;
  }

  /** The page with this number, or undefined when it was never written (reads as zeros). */
  pageAt(pageNumber: number): Uint32Array | undefined {
    return this.pages.get(pageNumber);
  }

  /**
   * The page, now shared: this memory will copy it before its next write, so the returned array
   * never changes again. Caches keep references into shared pages instead of copying entries.
   */
  sharePage(pageNumber: number): Uint32Array | undefined {
    this.owned.delete(pageNumber);
    return this.pages.get(pageNumber);
  }

  /** Number of pages that hold data (for tests and statistics). */
  get pageCount(): number {
    return this.pages.size;
  }

  private writablePage(pageNumber: number): Uint32Array {
    const page = this.pages.get(pageNumber);
    if (page && this.owned.has(pageNumber)) return page;
    const fresh = page ? page.slice() : new Uint32Array(PAGE_WORDS);
    this.pages.set(pageNumber, fresh);
    this.owned.add(pageNumber);
    return fresh;
  }

  private readByte(addr: bigint): number {
    const page = this.pages.get(pageNumberOf(addr));
    if (!page) return 0;
    const off = Number(addr & 0xfffn);
    return ((page[off >> 2] ?? 0) >>> ((off & 3) * 8)) & 0xff;
  }

  private writeByte(addr: bigint, value: number): void {
    const page = this.writablePage(pageNumberOf(addr));
    const off = Number(addr & 0xfffn);
    const shift = (off & 3) * 8;
    const i = off >> 2;
    page[i] = (((page[i] ?? 0) & ~(0xff << shift)) | ((value & 0xff) << shift)) >>> 0;
  }

  /** Stores qwords at addr, addr + 8, ... (even outside RAM). Addresses wrap modulo 2^64. */
  writeQwords(addr: bigint, qwords: readonly bigint[]): void {
    let a = addr & U64_MASK;
    for (const q of qwords) {
      const v = BigInt.asUintN(64, q);
      if ((a & 7n) === 0n) {
        const page = this.writablePage(pageNumberOf(a));
        const i = Number(a & 0xfffn) >> 2;
        page[i] = Number(v & 0xffff_ffffn);
        page[i + 1] = Number(v >> 32n);
      } else {
        for (let k = 0; k < 8; k++) {
          this.writeByte((a + BigInt(k)) & U64_MASK, Number((v >> BigInt(8 * k)) & 0xffn));
        }
      }
      a = (a + 8n) & U64_MASK;
    }
  }

  /**
   * Stores 32-bit words at a 4-byte aligned address (bulk set-up without bigints: builders, tests,
   * benchmarks). Words beyond the page continue on the next page.
   */
  writeWords32(addr: bigint, words: ArrayLike<number>): void {
    let a = addr & U64_MASK;
    if ((a & 3n) !== 0n) throw new RangeError('writeWords32 needs a 4-byte aligned address');
    let i = 0;
    while (i < words.length) {
      const page = this.writablePage(pageNumberOf(a));
      let w = Number(a & 0xfffn) >> 2;
      while (i < words.length && w < PAGE_WORDS) page[w++] = (words[i++] ?? 0) >>> 0;
      a = ((a & ~0xfffn) + BigInt(PAGE_BYTES)) & U64_MASK;
    }
  }

  /** The raw qword at addr (ignores the RAM limit; unwritten memory reads 0). */
  readQword(addr: bigint): bigint {
    const a = addr & U64_MASK;
    if ((a & 7n) === 0n) {
      const page = this.pages.get(pageNumberOf(a));
      if (!page) return 0n;
      const i = Number(a & 0xfffn) >> 2;
      return (BigInt(page[i + 1] ?? 0) << 32n) | BigInt(page[i] ?? 0);
    }
    let v = 0n;
    for (let k = 0; k < 8; k++) {
      v |= BigInt(this.readByte((a + BigInt(k)) & U64_MASK)) << BigInt(8 * k);
    }
    return v;
  }

  /** True when a DMA access of [addr, addr + len) stays inside guest RAM. */
  dmaInRam(addr: bigint, len: number): boolean {
    return addr >= 0n && addr + BigInt(len) <= this.ramBytes;
  }

  /** A DMA read of `count` qwords; undefined when addr + 8 * count > ramBytes. */
  dmaReadQwords(addr: bigint, count: number): bigint[] | undefined {
    const a = addr & U64_MASK;
    if (!this.dmaInRam(a, 8 * count)) return undefined;
    const out: bigint[] = [];
    for (let i = 0; i < count; i++) out.push(this.readQword(a + BigInt(8 * i)));
    return out;
  }

  /**
   * A 4-byte little-endian DMA write; false when it leaves guest RAM. Like QEMU's
   * dma_memory_write (flatview_write_continue copies section by section), the bytes that lie
   * inside RAM are still written before the part beyond it fails.
   */
  dmaWrite32(addr: bigint, value: number): boolean {
    const a = addr & U64_MASK;
    const v = value >>> 0;
    if (!this.dmaInRam(a, 4)) {
      for (let k = 0; k < 4; k++) {
        const at = a + BigInt(k);
        if (at < this.ramBytes) this.writeByte(at, (v >>> (8 * k)) & 0xff);
      }
      return false;
    }
    if ((a & 3n) === 0n) {
      const page = this.writablePage(pageNumberOf(a));
      page[Number(a & 0xfffn) >> 2] = v;
    } else {
      for (let k = 0; k < 4; k++) this.writeByte(a + BigInt(k), (v >>> (8 * k)) & 0xff);
    }
    return true;
  }

  /** The non-zero qword runs, by address (for export). Runs continue across page boundaries. */
  toBlocks(): MemoryBlock[] {
    const blocks: { addr: bigint; qwords: bigint[] }[] = [];
    const numbers = [...this.pages.keys()].sort((x, y) => x - y);
    let current: { addr: bigint; qwords: bigint[] } | undefined;
    let nextAddr = -1n;
    for (const pn of numbers) {
      const page = this.pages.get(pn);
      if (!page) continue;
      const base = BigInt(pn) << BigInt(PAGE_SHIFT);
      for (let q = 0; q < PAGE_WORDS / 2; q++) {
        const lo = page[2 * q] ?? 0;
        const hi = page[2 * q + 1] ?? 0;
        const addr = base + BigInt(8 * q);
        if (lo === 0 && hi === 0) {
          current = undefined;
          continue;
        }
        const value = (BigInt(hi) << 32n) | BigInt(lo);
        if (current && addr === nextAddr) {
          current.qwords.push(value);
        } else {
          current = { addr, qwords: [value] };
          blocks.push(current);
        }
        nextAddr = addr + 8n;
      }
    }
    return blocks;
  }
}

/** hi * 2^32 + lo as a double (exact below 2^53). */
export function addrNumber(hi: number, lo: number): number {
  return hi * TWO_POW_32 + lo;
}

/** A (hi, lo) pair as a bigint. */
export function addrBigint(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
