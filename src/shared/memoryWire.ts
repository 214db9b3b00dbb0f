// A large scenario's memory blocks as three typed arrays while it crosses the worker seam. As
// objects, the 16,385 blocks (131,000 bigints) of a 2^20-PASID scenario take tens of milliseconds
// to copy on each side of every call (postMessage clones them); as arrays they are one copy of
// about a megabyte. Only the worker transport uses this: in process nothing is copied.

import type { MemoryBlock, Scenario } from '../model/core.ts';

/** Blocks of a scenario packed as columns: block i holds words[start[i], start[i + 1]) at addr[i]. */
export interface PackedMemory {
  readonly addr: BigUint64Array;
  /** Block starts in `words`, with one more entry: the total. */
  readonly start: Uint32Array;
  readonly words: BigUint64Array;
}

/** A scenario on the wire: `memory` empty, its blocks in `packedMemory`. */
export interface WireScenario extends Scenario {
  readonly packedMemory: PackedMemory;
}

/** Scenarios with fewer memory words than this cross as they are (packing would not pay). */
export const PACK_MEMORY_MIN_WORDS = 4096;

function wordCount(blocks: readonly MemoryBlock[]): number {
  let n = 0;
  for (const b of blocks) n += b.qwords.length;
  return n;
}

const packedOf = new WeakMap<readonly MemoryBlock[], PackedMemory>();

/** The blocks as columns (kept per blocks array: a run request after an edit elsewhere reuses
 * them; sending copies them, so the kept arrays are never detached). */
export function packMemory(blocks: readonly MemoryBlock[]): PackedMemory {
  const hit = packedOf.get(blocks);
  if (hit) return hit;
  const addr = new BigUint64Array(blocks.length);
  const start = new Uint32Array(blocks.length + 1);
  const words = new BigUint64Array(wordCount(blocks));
  let at = 0;
  blocks.forEach((b, i) => {
    addr[i] = b.addr;
    start[i] = at;
    for (const q of b.qwords) words[at++] = q;
  });
  start[blocks.length] = at;
  const packed = { addr, start, words };
  packedOf.set(blocks, packed);
  return packed;
}

/** Blocks unpacked per piece of `unpackMemoryPieces`. */
const UNPACK_PIECE_BLOCKS = 1024;

/**
 * Unpacks into `out` a piece at a time (for a caller that yields to the browser between pieces: a
 * 2^20-PASID scenario is 16,385 blocks); when done, the packed form is remembered for `out`.
 */
export function* unpackMemoryPieces(packed: PackedMemory, out: MemoryBlock[]): Generator<void> {
  const n = packed.addr.length;
  for (let i = 0; i < n; i++) {
    const from = packed.start[i] ?? 0;
    const to = packed.start[i + 1] ?? from;
    const qwords = new Array<bigint>(to - from);
    for (let k = from; k < to; k++) qwords[k - from] = packed.words[k] ?? 0n;
    out.push({ addr: packed.addr[i] ?? 0n, qwords });
    if ((i + 1) % UNPACK_PIECE_BLOCKS === 0) yield;
  }
  packedOf.set(out, packed);
}

/** The blocks back as objects, at once. */
export function unpackMemory(packed: PackedMemory): MemoryBlock[] {
  const out: MemoryBlock[] = [];
  for (const _ of unpackMemoryPieces(packed, out));
  return out;
}

export function isWireScenario(s: Scenario): s is WireScenario {
  return (s as Partial<WireScenario>).packedMemory !== undefined;
}

/** The scenario as it crosses the seam: packed when its memory is large, else itself. */
export function scenarioToWire(s: Scenario): Scenario | WireScenario {
  if (wordCount(s.memory) < PACK_MEMORY_MIN_WORDS) return s;
  return { ...s, memory: [], packedMemory: packMemory(s.memory) };
}

/** The scenario as the model knows it. */
export function scenarioFromWire(s: Scenario | WireScenario): Scenario {
  if (!isWireScenario(s)) return s;
  const { packedMemory, ...rest } = s;
  return { ...rest, memory: unpackMemory(packedMemory) };
}

/** scenarioFromWire in pieces: unpacks into the returned scenario's memory as it is iterated. */
export function scenarioFromWirePieces(s: WireScenario): {
  readonly scenario: Scenario;
  readonly pieces: Iterable<void>;
} {
  const { packedMemory, ...rest } = s;
  const memory: MemoryBlock[] = [];
  return { scenario: { ...rest, memory }, pieces: unpackMemoryPieces(packedMemory, memory) };
}

/**
 * Every `scenario` field at the top of a request or answer value, converted. The seam's calls
 * carry scenarios in `args[0].scenario` (run, compare, …) or in an answer's `value.scenario`
 * (parsing); one shallow rule covers them all.
 */
export function mapScenarioField<T>(value: T, convert: (s: Scenario) => Scenario): T {
  if (typeof value !== 'object' || value === null) return value;
  const v = value as { scenario?: unknown; value?: unknown; ok?: unknown };
  if (isScenarioLike(v.scenario)) return { ...value, scenario: convert(v.scenario) };
  if (v.ok === true && typeof v.value === 'object' && v.value !== null) {
    const inner = v.value as { scenario?: unknown };
    if (isScenarioLike(inner.scenario)) {
      return { ...value, value: { ...inner, scenario: convert(inner.scenario) } };
    }
  }
  return value;
}

function isScenarioLike(x: unknown): x is Scenario {
  return typeof x === 'object' && x !== null && Array.isArray((x as { memory?: unknown }).memory);
}
