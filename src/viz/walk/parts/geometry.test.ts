import { describe, expect, it } from 'vitest';
import { LINE, TYPE, cardTextLines, cardTexts, textWidth, wrapText } from './geometry.ts';

describe('wrapping text', () => {
  it('keeps a line that fits as it is', () => {
    expect(wrapText('bus 0 @ 0x1000', 200, TYPE.body)).toEqual(['bus 0 @ 0x1000']);
  });

  it('breaks at spaces, keeps a separator with the word before it and cuts nothing', () => {
    const lines = wrapText('00:02.0 · iommufd · nic0 (VF with 20-bit PASID)', 100, TYPE.body);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) {
      expect(textWidth(l, TYPE.body)).toBeLessThanOrEqual(100);
      expect(l).not.toMatch(/^[·→=]/);
      expect(l).not.toMatch(/ ·$/);
      expect(l).not.toContain('…');
    }
    const letters = (s: string) => s.replace(/[ ·]/g, '');
    expect(letters(lines.join(' '))).toBe(
      letters('00:02.0 · iommufd · nic0 (VF with 20-bit PASID)'),
    );
  });

  it('cuts only a single word wider than the whole line', () => {
    const [line] = wrapText('0x123456789abcdef0', 40, TYPE.body);
    expect(line?.endsWith('…')).toBe(true);
  });
});

describe('card texts', () => {
  it('wrap body lines and count the lines the card needs', () => {
    const wide = cardTexts('c', 300, 'Context entry', ['PDTS 7: 16,384 entries', 'dir @ 0x8000']);
    const narrow = cardTexts('c', 90, 'Context entry', ['PDTS 7: 16,384 entries', 'dir @ 0x8000']);
    expect(cardTextLines(wide)).toBe(2);
    expect(cardTextLines(narrow)).toBeGreaterThan(2);
    expect(new Set(narrow.map((t) => t.key)).size).toBe(narrow.length);
    const ys = narrow.map((t) => t.y);
    for (let i = 1; i < ys.length; i++)
      expect((ys[i] ?? 0) - (ys[i - 1] ?? 0)).toBeGreaterThanOrEqual(LINE - 1);
  });
});
