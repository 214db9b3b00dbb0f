// Fills the columnar Trace (traceFormat.ts) with growable typed arrays. The walk appends millions
// of events, so nothing here allocates per event: addresses go in as (hi, lo) 32-bit halves
// through a Uint32Array view of the BigUint64Array, never as bigint.

import type { QemuFn, Trace, TraceKind } from './traceFormat.ts';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the low / high 32-bit half of a 64-bit element in a Uint32Array view. */
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

/** Events per chunk: the columns grow chunk by chunk and are joined once, at snapshot. */
const CHUNK_SHIFT = 16;
const CHUNK = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK - 1;

/** One chunk of every column, carved out of a single buffer (one allocation per chunk). */
class Chunk {
  readonly addr: BigUint64Array;
  readonly addr32: Uint32Array;
  readonly pasid: Uint32Array;
  readonly count: Uint32Array;
  readonly a: Uint32Array;
  readonly b: Uint32Array;
  readonly c: Uint32Array;
  readonly device: Int16Array;
  readonly kind: Uint8Array;
  readonly fn: Uint8Array;

  constructor() {
    // 8 (addr) + 5 * 4 + 2 + 1 + 1 = 32 bytes per event, largest elements first (alignment).
    const buf = new ArrayBuffer(CHUNK * 32);
    let at = 0;
    const take = (bytes: number): number => {
      const off = at;
      at += bytes * CHUNK;
      return off;
    };
    this.addr = new BigUint64Array(buf, take(8), CHUNK);
    this.addr32 = new Uint32Array(buf, this.addr.byteOffset, 2 * CHUNK);
    this.pasid = new Uint32Array(buf, take(4), CHUNK);
    this.count = new Uint32Array(buf, take(4), CHUNK);
    this.a = new Uint32Array(buf, take(4), CHUNK);
    this.b = new Uint32Array(buf, take(4), CHUNK);
    this.c = new Uint32Array(buf, take(4), CHUNK);
    this.device = new Int16Array(buf, take(2), CHUNK);
    this.kind = new Uint8Array(buf, take(1), CHUNK);
    this.fn = new Uint8Array(buf, take(1), CHUNK);
  }
}

/** DIDs of coalesced fill runs, in chunks of this many (growth never copies). */
const DID_CHUNK = 1 << 16;

export class TraceBuilder {
  private len = 0;
  /** Trace.fillDids, chunked. */
  private readonly didChunks: Uint16Array[] = [];
  private didLen = 0;
  private readonly chunks: Chunk[] = [];
  /** The chunk being filled and the next free index in it. */
  private cur: Chunk;
  private fill = 0;
  private readonly stepStarts: number[] = [];
  readonly devices: readonly string[];

  constructor(devices: readonly string[]) {
    this.devices = devices;
    this.cur = new Chunk();
    this.chunks.push(this.cur);
  }

  get length(): number {
    return this.len;
  }

  /** Events appended from now on belong to the next scenario step. */
  beginStep(): void {
    this.stepStarts.push(this.len);
  }

  get stepCount(): number {
    return this.stepStarts.length;
  }

  /** Appends one event; the address is given as 32-bit halves. Returns the event's index. */
  push(
    kind: TraceKind,
    fn: QemuFn,
    device: number,
    pasid: number,
    count: number,
    addrHi: number,
    addrLo: number,
    a: number,
    b: number,
    c: number,
  ): number {
    if (this.fill === CHUNK) {
      this.cur = new Chunk();
      this.chunks.push(this.cur);
      this.fill = 0;
    }
    const ch = this.cur;
    const i = this.fill++;
    ch.kind[i] = kind;
    ch.fn[i] = fn;
    ch.device[i] = device;
    ch.pasid[i] = pasid;
    ch.count[i] = count;
    ch.addr32[2 * i + HI] = addrHi;
    ch.addr32[2 * i + LO] = addrLo;
    ch.a[i] = a;
    ch.b[i] = b;
    ch.c[i] = c;
    return this.len++;
  }

  /** Appends one event with a bigint address (NO_ADDR when there is none). */
  pushBig(
    kind: TraceKind,
    fn: QemuFn,
    device: number,
    pasid: number,
    count: number,
    addr: bigint,
    a: number,
    b: number,
    c: number,
  ): number {
    const v = BigInt.asUintN(64, addr);
    return this.push(
      kind,
      fn,
      device,
      pasid,
      count,
      Number(v >> 32n),
      Number(v & 0xffff_ffffn),
      a,
      b,
      c,
    );
  }

  /** An event without an address. */
  pushNoAddr(
    kind: TraceKind,
    fn: QemuFn,
    device: number,
    pasid: number,
    a: number,
    b: number,
    c: number,
  ): number {
    return this.push(kind, fn, device, pasid, 1, 0xffff_ffff, 0xffff_ffff, a, b, c);
  }

  /** Extends a coalesced run event by `delta` more chunks / PASIDs. */
  extend(index: number, delta: number): void {
    const ch = this.chunks[index >>> CHUNK_SHIFT];
    if (ch) ch.count[index & CHUNK_MASK] = (ch.count[index & CHUNK_MASK] ?? 0) + delta;
  }

  setB(index: number, b: number): void {
    const ch = this.chunks[index >>> CHUNK_SHIFT];
    if (ch) ch.b[index & CHUNK_MASK] = b;
  }

  /**
   * Extends the coalesced fill run at `index` (a LeafChecked event of vtd_accel_fill_pc) by one
   * entry with DID `did`. A single fill event keeps its DID in `b`; once it becomes a run, `b` is
   * the offset of the run's DIDs in fillDids (see traceFormat.ts).
   */
  extendFillRun(index: number, did: number): void {
    const ch = this.chunks[index >>> CHUNK_SHIFT];
    if (!ch) return;
    const at = index & CHUNK_MASK;
    const n = ch.count[at] ?? 1;
    if (n === 1) {
      const first = ch.b[at] ?? 0;
      ch.b[at] = this.didLen;
      this.pushDid(first);
    }
    this.pushDid(did);
    ch.count[at] = n + 1;
  }

  private pushDid(did: number): void {
    const at = this.didLen & (DID_CHUNK - 1);
    if (at === 0) this.didChunks.push(new Uint16Array(DID_CHUNK));
    const chunk = this.didChunks[this.didChunks.length - 1];
    if (chunk) chunk[at] = did;
    this.didLen++;
  }

  kindAt(index: number): number {
    return this.chunks[index >>> CHUNK_SHIFT]?.kind[index & CHUNK_MASK] ?? 0;
  }

  /** The trace so far, as fresh, exactly sized columns (transferable). */
  snapshot(): Trace {
    const n = this.len;
    const join = <T extends Uint8Array | Int16Array | Uint32Array | BigUint64Array>(
      make: (len: number) => T,
      col: (ch: Chunk) => T,
    ): T => {
      const out = make(n);
      let at = 0;
      for (const ch of this.chunks) {
        if (at >= n) break;
        const take = Math.min(CHUNK, n - at);
        (out as Uint8Array).set((col(ch) as Uint8Array).subarray(0, take), at);
        at += take;
      }
      return out;
    };
    const fillDids = new Uint16Array(this.didLen);
    this.didChunks.forEach((chunk, k) => {
      const from = k * DID_CHUNK;
      fillDids.set(chunk.subarray(0, Math.min(DID_CHUNK, this.didLen - from)), from);
    });
    const stepStart = new Uint32Array(this.stepStarts.length + 1);
    stepStart.set(this.stepStarts);
    stepStart[this.stepStarts.length] = n;
    return {
      length: n,
      kind: join(
        (k) => new Uint8Array(k),
        (ch) => ch.kind,
      ),
      fn: join(
        (k) => new Uint8Array(k),
        (ch) => ch.fn,
      ),
      device: join(
        (k) => new Int16Array(k),
        (ch) => ch.device,
      ),
      pasid: join(
        (k) => new Uint32Array(k),
        (ch) => ch.pasid,
      ),
      count: join(
        (k) => new Uint32Array(k),
        (ch) => ch.count,
      ),
      addr: join(
        (k) => new BigUint64Array(k),
        (ch) => ch.addr,
      ),
      a: join(
        (k) => new Uint32Array(k),
        (ch) => ch.a,
      ),
      b: join(
        (k) => new Uint32Array(k),
        (ch) => ch.b,
      ),
      c: join(
        (k) => new Uint32Array(k),
        (ch) => ch.c,
      ),
      fillDids,
      stepStart,
      devices: this.devices,
    };
  }
}

/** Bytes a trace's columns occupy. */
export function traceByteLength(trace: Trace): number {
  return (
    trace.kind.byteLength +
    trace.fn.byteLength +
    trace.device.byteLength +
    trace.pasid.byteLength +
    trace.count.byteLength +
    trace.addr.byteLength +
    trace.a.byteLength +
    trace.b.byteLength +
    trace.c.byteLength +
    trace.fillDids.byteLength +
    trace.stepStart.byteLength
  );
}
