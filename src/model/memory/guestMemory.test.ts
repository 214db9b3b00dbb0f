import { describe, expect, it } from 'vitest';
import { GuestMemory } from './guestMemory.ts';
import { memoryAtStep } from '../run/memoryAtStep.ts';
import { ScenarioBuilder } from '../testSupport/scenarioBuilder.ts';

describe('GuestMemory', () => {
  it('reads back what was written and zero elsewhere', () => {
    const m = new GuestMemory(0x10000n);
    m.writeQwords(0x1ff8n, [0x1122_3344_5566_7788n, 0xffff_ffff_ffff_ffffn]);
    expect(m.readQword(0x1ff8n)).toBe(0x1122_3344_5566_7788n);
    // The second qword lands on the next page.
    expect(m.readQword(0x2000n)).toBe(0xffff_ffff_ffff_ffffn);
    expect(m.readQword(0x3000n)).toBe(0n);
  });

  it('handles unaligned writes and reads byte by byte', () => {
    const m = new GuestMemory(0x10000n);
    m.writeQwords(0x103n, [0x0102_0304_0506_0708n]);
    expect(m.readQword(0x103n)).toBe(0x0102_0304_0506_0708n);
    expect(m.readQword(0x100n)).toBe(0x0405_0607_0800_0000n);
  });

  it('stores data outside RAM but DMA does not see it', () => {
    const m = new GuestMemory(0x1000n);
    m.writeQwords(0x1000n, [5n]);
    expect(m.readQword(0x1000n)).toBe(5n);
    expect(m.dmaReadQwords(0x1000n, 1)).toBeUndefined();
    expect(m.dmaReadQwords(0xff8n, 1)).toEqual([0n]);
    // [0xff8, 0x1008) crosses the end of RAM.
    expect(m.dmaReadQwords(0xff8n, 2)).toBeUndefined();
  });

  it('dmaWrite32 writes 4 little-endian bytes inside RAM only', () => {
    const m = new GuestMemory(0x1000n);
    m.writeQwords(0x100n, [0xaaaa_aaaa_bbbb_bbbbn]);
    expect(m.dmaWrite32(0x104n, 0x1234_5678)).toBe(true);
    expect(m.readQword(0x100n)).toBe(0x1234_5678_bbbb_bbbbn);
    expect(m.dmaWrite32(0xffdn, 1)).toBe(false);
    expect(m.dmaWrite32(0xffcn, 7)).toBe(true);
    expect(m.readQword(0xff8n)).toBe(7n << 32n);
  });

  it('clones copy-on-write in both directions', () => {
    const a = new GuestMemory(0x10000n);
    a.writeQwords(0x100n, [1n]);
    const b = a.clone();
    b.writeQwords(0x100n, [2n]);
    a.writeQwords(0x108n, [3n]);
    expect(a.readQword(0x100n)).toBe(1n);
    expect(b.readQword(0x100n)).toBe(2n);
    expect(b.readQword(0x108n)).toBe(0n);
    expect(a.readQword(0x108n)).toBe(3n);
  });

  it('a shared page is copied before the next write', () => {
    const m = new GuestMemory(0x10000n);
    m.writeQwords(0x2000n, [9n]);
    const page = m.sharePage(2);
    m.writeQwords(0x2000n, [10n]);
    expect(page?.[0]).toBe(9);
    expect(m.readQword(0x2000n)).toBe(10n);
  });

  it('wraps addresses modulo 2^64', () => {
    const m = new GuestMemory(0x10000n);
    m.writeQwords(0xffff_ffff_ffff_fff8n, [1n, 2n]);
    expect(m.readQword(0xffff_ffff_ffff_fff8n)).toBe(1n);
    expect(m.readQword(0n)).toBe(2n);
  });

  it('exports non-zero runs and loads them back identically', () => {
    const m = new GuestMemory(0x10000n);
    m.writeQwords(0xff8n, [1n, 2n, 0n, 4n]);
    m.writeQwords(0x5000n, [7n]);
    const blocks = m.toBlocks();
    expect(blocks).toEqual([
      { addr: 0xff8n, qwords: [1n, 2n] },
      { addr: 0x1010n, qwords: [4n] },
      { addr: 0x5000n, qwords: [7n] },
    ]);
    const again = GuestMemory.fromBlocks(0x10000n, blocks);
    expect(again.toBlocks()).toEqual(blocks);
  });

  it('hands its pages over and is rebuilt from them without copying; writes copy first', () => {
    const m = GuestMemory.fromBlocks(0x10000n, [
      { addr: 0xff8n, qwords: [1n, 2n] },
      { addr: 0x5000n, qwords: [7n] },
    ]);
    const pages = [...m.pageEntries()];
    expect(pages.map(([n]) => n).sort()).toEqual([0, 1, 5]);
    const again = GuestMemory.fromPages(0x10000n, pages);
    expect(again.toBlocks()).toEqual(m.toBlocks());
    expect(again.pageAt(5)).toBe(m.pageAt(5));
    again.writeQwords(0x5000n, [9n]);
    expect(again.readQword(0x5000n)).toBe(9n);
    expect(m.readQword(0x5000n)).toBe(7n);
    expect(() => GuestMemory.fromPages(0x10000n, [[0, new Uint32Array(4)]])).toThrow(RangeError);
  });

  it('writeWords32 writes halves across pages', () => {
    const m = new GuestMemory(0x10000n);
    m.writeWords32(0xffcn, [1, 2, 3]);
    expect(m.readQword(0xff8n)).toBe(1n << 32n);
    expect(m.readQword(0x1000n)).toBe((3n << 32n) | 2n);
  });
});

describe('memoryAtStep', () => {
  it('applies writes and processed wait status writes before the step only', () => {
    const b = new ScenarioBuilder({ guestRamBytes: 0x4000_0000n });
    b.device('00:01.0');
    b.write(0x9000n, [0x55n])
      .wait(0x9100n, 0x77)
      .pc(2)
      .wait(0x9200n, 0x88)
      .clearIqe()
      .wait(0x9300n, 0x99);
    const s = b.build();
    expect(memoryAtStep(s, 0).readQword(0x9000n)).toBe(0n);
    expect(memoryAtStep(s, 1).readQword(0x9000n)).toBe(0x55n);
    expect(memoryAtStep(s, 1).readQword(0x9100n)).toBe(0n);
    expect(memoryAtStep(s, 2).readQword(0x9100n)).toBe(0x77n);
    // Step 3 (granularity 2) sets IQE, so step 4's wait is blocked and writes nothing.
    expect(memoryAtStep(s, 6).readQword(0x9200n)).toBe(0n);
    expect(memoryAtStep(s, 6).readQword(0x9300n)).toBe(0x99n);
  });
});
