// One VTDHostIOMMUDevice's pasid_cache_list (a QLIST of VTDAccelPASIDCacheEntry) in compact form.
//
// QEMU keeps a linked list, inserts at the head and searches it linearly for every PASID it
// fills, so its first global sync is quadratic. The model keeps the same order (a doubly linked
// list over slot indices) plus a PASID -> slot index, and still reports the comparisons QEMU's
// search makes: the 1-based position of an entry from the head = the live entries inserted at or
// after it. With sequence numbers given at insertion, that is (nextSeq - seq) minus the removed
// entries whose seq is larger, counted with a Fenwick tree over removals (so inserts cost O(1)
// and only lists that saw removals pay O(log n) per lookup).
//
// An entry's 512-bit copy is not copied at all: the slot points at 16 halves inside a guest
// memory page that the memory has agreed never to change again (GuestMemory.sharePage; a later
// guest write copies the page first). Pages get small ids with reference counts, so a cached
// entry costs 6 bytes, a 2^20-entry list allocates no entry storage, and "unchanged" is often
// an id comparison.

const WORDS = 16;
/** PASIDs are 20-bit: the index covers all of them. */
const PASID_SPACE = 1 << 20;
const EMPTY = new Uint32Array(WORDS);

// Per-slot fields, packed side by side in fixed-size chunks (growth never copies). F_WORDS is
// where the entry's halves are: page id * WORDS_PER_PAGE + offset in the page (-1: none), one
// field instead of two (20 bytes a slot: 8 devices x 2^20 entries are 160 MiB, not 192).
const F_WORDS = 0;
const F_PASID = 1;
const F_SEQ = 2;
const F_NEXT = 3;
const F_PREV = 4;
const FIELDS = 5;
/** 32-bit words in a 4 KiB page: an entry's offset is below this. */
const WORDS_PER_PAGE = 1024;
const pageOf = (loc: number): number => (loc < 0 ? -1 : Math.floor(loc / WORDS_PER_PAGE));
const offsetOf = (loc: number): number => (loc < 0 ? 0 : loc % WORDS_PER_PAGE);
const CHUNK_SHIFT = 12;
const CHUNK_SLOTS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_SLOTS - 1;
const NO_CHUNK = new Int32Array(FIELDS).fill(-1);

export class AccelPasidCacheList {
  private readonly slotChunks: Int32Array[] = [];
  private usedSlots = 0;
  private readonly freeSlots: number[] = [];
  /** PASID -> slot + 1 (0 = not cached), allocated on the first insert. */
  private index: Int32Array | undefined;
  private headSlot = -1;
  private live = 0;
  private nextSeq = 0;
  /** Frozen arrays by id, with the number of slots that point into each. */
  private pages: Uint32Array[] = [];
  private pageRefs: Int32Array = new Int32Array(0);
  private readonly freePageIds: number[] = [];
  private lastPage: Uint32Array | undefined;
  private lastPageId = -1;
  // Removals, for positions: a Fenwick tree over sequence numbers.
  private removedTotal = 0;
  private fenwick: Int32Array = new Int32Array(1);
  private removedFlag: Uint8Array = new Uint8Array(0);

  get length(): number {
    return this.live;
  }

  get head(): number {
    return this.headSlot;
  }

  private chunkOf(slot: number): Int32Array {
    return this.slotChunks[slot >>> CHUNK_SHIFT] ?? NO_CHUNK;
  }

  private field(slot: number, f: number): number {
    const chunk = this.slotChunks[slot >>> CHUNK_SHIFT];
    return chunk ? (chunk[(slot & CHUNK_MASK) * FIELDS + f] ?? -1) : -1;
  }

  /** The slot after `slot` in list order, or -1. */
  next(slot: number): number {
    return this.field(slot, F_NEXT);
  }

  pasidAt(slot: number): number {
    return this.field(slot, F_PASID);
  }

  /** The array holding the slot's 16 halves (val[i] = [off + 2i] | [off + 2i + 1] << 32). */
  wordStore(slot: number): Uint32Array {
    return this.pages[pageOf(this.field(slot, F_WORDS))] ?? EMPTY;
  }

  /** Offset of the slot's 16 halves in wordStore(slot). */
  wordOffset(slot: number): number {
    return offsetOf(this.field(slot, F_WORDS));
  }

  /** DID of the cached entry (val[1] bits 15:0). */
  didAt(slot: number): number {
    const chunk = this.chunkOf(slot);
    const at = (slot & CHUNK_MASK) * FIELDS;
    const loc = chunk[at + F_WORDS] ?? -1;
    const page = this.pages[pageOf(loc)];
    return page ? (page[offsetOf(loc) + 2] ?? 0) & 0xffff : 0;
  }

  /** The slot caching this PASID, or -1. */
  find(pasid: number): number {
    const idx = this.index;
    if (!idx || pasid < 0 || pasid >= PASID_SPACE) return -1;
    return (idx[pasid] ?? 0) - 1;
  }

  /** 1-based position from the head: the comparisons QEMU's linear search makes to find it. */
  positionOf(slot: number): number {
    const seq = this.field(slot, F_SEQ);
    let pos = this.nextSeq - seq;
    if (this.removedTotal > 0) pos -= this.removedTotal - this.removedUpTo(seq);
    return pos;
  }

  /**
   * True when the cached 512-bit entry equals src[off .. off + 16). Same frozen page and offset
   * means same bytes.
   */
  equals(slot: number, src: Uint32Array, off: number): boolean {
    const chunk = this.chunkOf(slot);
    const at = (slot & CHUNK_MASK) * FIELDS;
    const loc = chunk[at + F_WORDS] ?? -1;
    const page = this.pages[pageOf(loc)];
    const base = offsetOf(loc);
    if (page === src && base === off) return true;
    if (!page) return false;
    for (let k = 0; k < WORDS; k++) {
      if (page[base + k] !== src[off + k]) return false;
    }
    return true;
  }

  /** Replaces the cached entry; `src` must be a frozen (shared) page or a private copy. */
  overwrite(slot: number, src: Uint32Array, off: number): void {
    const chunk = this.chunkOf(slot);
    const at = (slot & CHUNK_MASK) * FIELDS;
    const id = this.pageIdFor(src);
    this.release(pageOf(chunk[at + F_WORDS] ?? -1));
    chunk[at + F_WORDS] = id * WORDS_PER_PAGE + off;
  }

  /** QLIST_INSERT_HEAD of a new entry; `src` as for overwrite. Returns its slot. */
  insertHead(pasid: number, src: Uint32Array, off: number): number {
    let idx = this.index;
    if (!idx) idx = this.index = new Int32Array(PASID_SPACE);
    const slot = this.freeSlots.length > 0 ? (this.freeSlots.pop() ?? 0) : this.newSlot();
    const chunk = this.chunkOf(slot);
    const at = (slot & CHUNK_MASK) * FIELDS;
    const seq = this.nextSeq++;
    if (this.removedTotal > 0 && seq >= this.removedFlag.length) this.growSeq(seq + 1);
    const head = this.headSlot;
    chunk[at + F_WORDS] = this.pageIdFor(src) * WORDS_PER_PAGE + off;
    chunk[at + F_PASID] = pasid;
    chunk[at + F_SEQ] = seq;
    chunk[at + F_NEXT] = head;
    chunk[at + F_PREV] = -1;
    if (head >= 0) this.chunkOf(head)[(head & CHUNK_MASK) * FIELDS + F_PREV] = slot;
    this.headSlot = slot;
    idx[pasid] = slot + 1;
    this.live++;
    return slot;
  }

  /** QLIST_REMOVE. */
  remove(slot: number): void {
    const chunk = this.chunkOf(slot);
    const at = (slot & CHUNK_MASK) * FIELDS;
    const prev = chunk[at + F_PREV] ?? -1;
    const next = chunk[at + F_NEXT] ?? -1;
    if (prev >= 0) this.chunkOf(prev)[(prev & CHUNK_MASK) * FIELDS + F_NEXT] = next;
    else this.headSlot = next;
    if (next >= 0) this.chunkOf(next)[(next & CHUNK_MASK) * FIELDS + F_PREV] = prev;
    const pasid = chunk[at + F_PASID] ?? -1;
    if (this.index && pasid >= 0) this.index[pasid] = 0;
    chunk[at + F_PASID] = -1;
    this.release(pageOf(chunk[at + F_WORDS] ?? -1));
    chunk[at + F_WORDS] = -1;
    this.live--;
    this.freeSlots.push(slot);
    if (this.live === 0) {
      this.resetSequence();
    } else {
      this.markRemoved(chunk[at + F_SEQ] ?? 0);
    }
  }

  private newSlot(): number {
    const slot = this.usedSlots++;
    if (slot >>> CHUNK_SHIFT >= this.slotChunks.length) {
      this.slotChunks.push(new Int32Array(CHUNK_SLOTS * FIELDS));
    }
    return slot;
  }

  /** The id of a frozen array, registering it (and counting one more reference). */
  private pageIdFor(src: Uint32Array): number {
    let id: number;
    if (src === this.lastPage) {
      id = this.lastPageId;
    } else {
      const free = this.freePageIds.pop();
      id = free ?? this.pages.length;
      if (free === undefined) {
        this.pages.push(src);
        if (id >= this.pageRefs.length) {
          const refs = new Int32Array(Math.max(64, this.pageRefs.length * 2));
          refs.set(this.pageRefs);
          this.pageRefs = refs;
        }
      } else {
        this.pages[id] = src;
      }
      this.lastPage = src;
      this.lastPageId = id;
    }
    this.pageRefs[id] = (this.pageRefs[id] ?? 0) + 1;
    return id;
  }

  private release(id: number): void {
    if (id < 0) return;
    const refs = (this.pageRefs[id] ?? 0) - 1;
    this.pageRefs[id] = refs;
    if (refs === 0) {
      this.pages[id] = EMPTY;
      this.freePageIds.push(id);
      if (this.lastPageId === id) {
        this.lastPage = undefined;
        this.lastPageId = -1;
      }
    }
  }

  /** An empty list restarts its sequence numbers (nothing left to count behind). */
  private resetSequence(): void {
    this.nextSeq = 0;
    if (this.removedTotal > 0) {
      this.removedTotal = 0;
      this.fenwick.fill(0);
      this.removedFlag.fill(0);
    }
  }

  /** Sizes the removal flags and tree for sequence numbers below `needed`, keeping the flags. */
  private growSeq(needed: number): void {
    let size = Math.max(64, this.removedFlag.length);
    while (size < needed) size *= 2;
    const flags = new Uint8Array(size);
    flags.set(this.removedFlag);
    this.removedFlag = flags;
    // Linear-time Fenwick construction for the new size.
    const tree = new Int32Array(size + 1);
    for (let i = 1; i <= size; i++) {
      tree[i] = (tree[i] ?? 0) + (flags[i - 1] ?? 0);
      const parent = i + (i & -i);
      if (parent <= size) tree[parent] = (tree[parent] ?? 0) + (tree[i] ?? 0);
    }
    this.fenwick = tree;
  }

  private markRemoved(seq: number): void {
    if (seq >= this.removedFlag.length || this.removedFlag.length < this.nextSeq) {
      this.growSeq(Math.max(seq + 1, this.nextSeq));
    }
    this.removedFlag[seq] = 1;
    this.removedTotal++;
    const size = this.removedFlag.length;
    for (let i = seq + 1; i <= size; i += i & -i) this.fenwick[i] = (this.fenwick[i] ?? 0) + 1;
  }

  /** Removed entries with sequence number <= seq. */
  private removedUpTo(seq: number): number {
    let s = 0;
    for (let i = Math.min(seq + 1, this.removedFlag.length); i > 0; i -= i & -i) {
      s += this.fenwick[i] ?? 0;
    }
    return s;
  }
}
