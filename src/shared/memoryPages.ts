// Guest memory handed from the worker to the page as one transferable buffer of pages. Building a
// large scenario's memory (10^5 entries, written one bigint word at a time) takes the page's thread
// over a hundred milliseconds; the worker, which parsed the scenario, builds it there instead.

import { GuestMemory, PAGE_WORDS, type Scenario } from '../model/core.ts';
import type { MemoryPages } from '../worker/protocol.ts';

/** Scenarios with fewer initial memory words than this are quick to build on the page. */
export const MEMORY_PAGES_MIN_WORDS = 16_384;

/** The scenario's initial memory as pages, when it is large enough to be worth sending. */
export function initialMemoryPages(scenario: Scenario): MemoryPages | undefined {
  let words = 0;
  for (const b of scenario.memory) words += b.qwords.length;
  if (words < MEMORY_PAGES_MIN_WORDS) return undefined;
  const mem = GuestMemory.fromBlocks(scenario.iommu.guestRamBytes, scenario.memory);
  const entries = [...mem.pageEntries()];
  const numbers = new Float64Array(entries.length);
  const data = new Uint32Array(entries.length * PAGE_WORDS);
  entries.forEach(([n, page], i) => {
    numbers[i] = n;
    data.set(page, i * PAGE_WORDS);
  });
  return { ramBytes: scenario.iommu.guestRamBytes, numbers, words: data };
}

/** The memory those pages hold (views into the one buffer, not copies). */
export function memoryFromPages(pages: MemoryPages): GuestMemory {
  const entries: [number, Uint32Array][] = [];
  pages.numbers.forEach((n, i) => {
    entries.push([n, pages.words.subarray(i * PAGE_WORDS, (i + 1) * PAGE_WORDS)]);
  });
  return GuestMemory.fromPages(pages.ramBytes, entries);
}
