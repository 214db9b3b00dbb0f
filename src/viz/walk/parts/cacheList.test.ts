import { describe, expect, it } from 'vitest';
import {
  LIST_TITLE_H,
  ROW_H,
  layoutCacheList,
  listWidthFor,
  rowsThatFit,
  type CacheRowFacts,
} from './cacheList.ts';

const rows = (n: number): CacheRowFacts[] =>
  Array.from({ length: n }, (_, i) => ({
    key: `cache:d:${i.toString()}`,
    text: `0x${i.toString(16)}`,
    state: i === 0 ? 'created' : 'plain',
    title: '',
  }));
const list = (n: number, h: number, length = n) =>
  layoutCacheList({
    kind: 'accel',
    name: 'Accel PASID cache of d',
    titles: ['Accel PASID cache'],
    rows: rows(n),
    length,
    empty: 'empty',
    lit: false,
    x: 100,
    y: 50,
    w: 180,
    h,
  });

describe('a cache list', () => {
  it('draws its rows head first and counts what does not fit', () => {
    const h = LIST_TITLE_H + 4 * ROW_H + 4;
    expect(rowsThatFit(h)).toBe(4);
    const l = list(10, h);
    expect(l.rows.map((r) => r.key)).toEqual(['cache:d:0', 'cache:d:1', 'cache:d:2', 'accel:more']);
    expect(l.rows.at(-1)?.text).toBe('7 more');
    expect(l.rows[0]?.glyph).toBe('+');
    for (const r of l.rows) expect(r.y + r.h).toBeLessThanOrEqual(h);
  });

  it('counts entries the caller did not replay (only the head was asked for)', () => {
    const l = list(3, LIST_TITLE_H + 10 * ROW_H, 5000);
    expect(l.rows.at(-1)?.text).toBe('4,997 more');
  });

  it('says when it is empty, and makes enterFrom relative to itself', () => {
    expect(list(0, 100).texts.map((t) => t.text)).toContain('empty');
    const l = layoutCacheList({
      kind: 'accel',
      name: 'n',
      titles: ['t'],
      rows: [{ key: 'k', text: 'x', state: 'created', title: '', enterFrom: { x: 30, y: 80 } }],
      length: 1,
      empty: '',
      lit: false,
      x: 100,
      y: 50,
      w: 180,
      h: 100,
    });
    expect(l.rows[0]?.enterFrom).toEqual({ x: -70, y: 30 });
  });

  it('draws the longest form of a row that fits, and says how wide it must be for each form', () => {
    const row: CacheRowFacts = {
      key: 'as:d:0',
      text: 'AS 0x0 · valid · DID 2',
      short: ['AS 0x0 valid DID 2', '0x0 valid DID 2'],
      state: 'plain',
      title: '',
    };
    const at = (w: number) =>
      layoutCacheList({
        kind: 'emulated',
        name: 'Emulated PASID cache of d',
        titles: ['Emulated PASID cache'],
        rows: [row],
        length: 1,
        empty: 'none',
        lit: false,
        x: 0,
        y: 0,
        w,
        h: 60,
      }).rows[0]?.text;
    expect(at(listWidthFor([row]) + 200)).toBe('AS 0x0 · valid · DID 2');
    expect(at(listWidthFor([row], 'first'))).toBe('AS 0x0 valid DID 2');
    expect(at(listWidthFor([row]))).toBe('0x0 valid DID 2');
    expect(listWidthFor([row], 'first')).toBeGreaterThan(listWidthFor([row]));
  });
});
