// The pages the debugfs walk found structures in, with neighbouring pages of one structure (a
// 16,384-entry PASID directory spans 32 of them) folded into one range.

import type { StructurePage } from '../../model/index.ts';

export interface PageRun {
  readonly first: bigint;
  /** The last byte of the last page. */
  readonly last: bigint;
  readonly pages: number;
  readonly what: string;
}

const PAGE = 0x1000n;

export function pageRuns(pages: readonly StructurePage[]): PageRun[] {
  const out: PageRun[] = [];
  for (const p of pages) {
    const prev = out[out.length - 1];
    if (prev && prev.what === p.what && prev.last + 1n === p.addr) {
      out[out.length - 1] = { ...prev, last: p.addr + PAGE - 1n, pages: prev.pages + 1 };
    } else {
      out.push({ first: p.addr, last: p.addr + PAGE - 1n, pages: 1, what: p.what });
    }
  }
  return out;
}
