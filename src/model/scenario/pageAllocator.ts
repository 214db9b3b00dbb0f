// Free pages of guest RAM for structures a scenario needs but does not place itself (the authoring
// form's tables, the Linux driver's allocations).

const PAGE = 0x1000n;

/** Free-page allocator over guest RAM; first fit, searching upwards from a start address. */
export class PageAllocator {
  private readonly used: { start: bigint; end: bigint }[] = [];
  private readonly ramBytes: bigint;
  private readonly start: bigint;

  constructor(ramBytes: bigint, start: bigint) {
    this.ramBytes = ramBytes;
    this.start = start;
  }

  reserve(addr: bigint, bytes: bigint): void {
    if (bytes <= 0n) return;
    const start = addr & ~(PAGE - 1n);
    const end = (addr + bytes + PAGE - 1n) & ~(PAGE - 1n);
    this.used.push({ start, end });
  }

  allocate(bytes: bigint): bigint | undefined {
    const size = (bytes + PAGE - 1n) & ~(PAGE - 1n);
    const fits = (from: bigint, limit: bigint): bigint | undefined => {
      let at = from;
      for (;;) {
        if (at + size > limit) return undefined;
        const clash = this.used.find((u) => u.start < at + size && at < u.end);
        if (!clash) return at;
        at = clash.end;
      }
    };
    const at = fits(this.start, this.ramBytes) ?? fits(PAGE, this.start);
    if (at !== undefined) this.used.push({ start: at, end: at + size });
    return at;
  }
}
