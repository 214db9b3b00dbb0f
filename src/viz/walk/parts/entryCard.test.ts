import { describe, expect, it } from 'vitest';
import { PASID_ENTRY, fieldByName, setFieldFromDisplay } from '../../../model/core.ts';
import { entryFields, layoutEntryCard } from './entryCard.ts';

function words(fields: Record<string, bigint>): bigint[] {
  let w: bigint[] = Array.from({ length: 8 }, () => 0n);
  for (const [name, v] of Object.entries(fields)) {
    w = setFieldFromDisplay(w, fieldByName(PASID_ENTRY, name), v);
  }
  return w;
}

describe('the PASID entry card', () => {
  it('reads the deciding fields and the pointer that goes with the PGTT', () => {
    const fs = entryFields(words({ present: 1n, pgtt: 1n, did: 7n, fsptptr: 0x123000n }));
    expect(fs).toEqual({
      present: true,
      pgtt: 1,
      did: 7,
      pointer: { label: 'FSPTPTR', value: 0x123000n },
    });
    const ss = entryFields(words({ present: 1n, pgtt: 2n, did: 1n, ssptptr: 0x5000n }));
    expect(ss.pointer).toEqual({ label: 'SSPTPTR', value: 0x5000n });
    expect(entryFields(words({ present: 1n, pgtt: 4n })).pointer).toBeUndefined();
  });

  it('shows them with the outcome, cut to its width', () => {
    const card = layoutEntryCard({
      pasid: 0x41,
      addr: 0x9040n,
      words: words({ present: 1n, pgtt: 1n, did: 3n, fsptptr: 0x6000n }),
      state: 'created',
      lit: true,
      x: 0,
      y: 0,
      w: 170,
    });
    const text = card.texts.map((t) => t.text);
    expect(text[0]).toBe('PASID entry 0x41');
    expect(text).toContain('@ 0x9040');
    expect(text).toContain('P=1 PGTT=FS DID=3');
    expect(text).toContain('FSPTPTR 0x6000');
    expect(text.at(-1)).toMatch(/^\+ created/);
    expect(card.name).toBe('PASID entry 0x41: P 1, PGTT first-stage, DID 3');
  });

  it('wraps its facts onto more lines when narrow, never cutting them', () => {
    const card = (w: number) =>
      layoutEntryCard({
        pasid: 0xfffff,
        addr: 0x12345ff8n,
        words: words({ present: 1n, pgtt: 1n, did: 65535n, fsptptr: 0x7fffffff000n }),
        state: 'unvisited',
        lit: false,
        x: 0,
        y: 0,
        w,
      });
    const narrow = card(120);
    const wide = card(260);
    const all = (c: typeof narrow) => c.texts.map((t) => t.text).join(' ');
    expect(all(narrow)).not.toContain('…');
    expect(all(narrow)).toBe(all(wide));
    expect(all(narrow)).toContain('FSPTPTR 0x7fffffff000');
    expect(all(narrow)).toContain('DID=65535');
    expect(narrow.h).toBeGreaterThan(wide.h);
    for (const t of narrow.texts) expect(t.y + 4).toBeLessThanOrEqual(narrow.h);
  });

  it('shows an unknown PGTT by its number', () => {
    const card = layoutEntryCard({
      pasid: 5,
      addr: 0x4140n,
      words: words({}),
      state: 'unvisited',
      lit: false,
      x: 0,
      y: 0,
      w: 170,
    });
    expect(card.texts.map((t) => t.text)).toContain('P=0 PGTT=0 DID=0');
  });
});
