import { describe, expect, it } from 'vitest';
import { lineDiff } from './lineDiff.ts';

const HEADER = 'IOMMU dmar0: Root Table Address: 0x1000\nB.D.F\tRoot_entry\tPASID';

describe('lineDiff', () => {
  it('finds no difference between a dump and its copy from a terminal (tabs as spaces, CRLF)', () => {
    const ours = `${HEADER}\n00:02.0\t0x1:0x5001\t0\n\n`;
    const theirs = ours.replace(/\t/g, '   ').replace(/\n/g, '\r\n');
    const d = lineDiff(ours, theirs);
    expect([d.onlyHere, d.onlyThere]).toEqual([0, 0]);
    expect(d.lines.map((l) => l.side)).toEqual(['both', 'both', 'both']);
  });

  it('marks a row only one side prints, in walk order', () => {
    const ours = `${HEADER}\n00:02.0 a\n00:03.0 b\n00:04.0 c\n`;
    const theirs = `${HEADER}\n00:02.0 a\n00:04.0 c\n00:05.0 d\n`;
    const d = lineDiff(ours, theirs);
    expect(d.lines.filter((l) => l.side !== 'both').map((l) => [l.side, l.text])).toEqual([
      ['here', '00:03.0 b'],
      ['there', '00:05.0 d'],
    ]);
    expect([d.onlyHere, d.onlyThere]).toEqual([1, 1]);
    // The merged list holds every line of both sides once.
    expect(d.lines.filter((l) => l.side !== 'there')).toHaveLength(5);
    expect(d.lines.filter((l) => l.side !== 'here')).toHaveLength(5);
  });

  it('shows pasted lines with their column gaps as tabs again', () => {
    const d = lineDiff('a\tb\n', 'a   b\nIOMMU dmar0: Root Table Address: 0x1\n');
    expect(d.lines.map((l) => l.text)).toEqual(['a\tb', 'IOMMU dmar0: Root Table Address: 0x1']);
  });

  it('falls back to membership for very long dumps, still counting both sides', () => {
    const rows = (n: number, skip: number): string =>
      Array.from({ length: n }, (_, i) => i)
        .filter((i) => i !== skip)
        .map((i) => `row ${i}`)
        .join('\n');
    const d = lineDiff(rows(2500, 7), rows(2500, 1200));
    expect([d.onlyHere, d.onlyThere]).toEqual([1, 1]);
    expect(d.lines.find((l) => l.side === 'here')?.text).toBe('row 1200');
    expect(d.lines.find((l) => l.side === 'there')?.text).toBe('row 7');
  });
});
