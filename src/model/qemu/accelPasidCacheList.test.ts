import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { AccelPasidCacheList } from './accelPasidCacheList.ts';

function page(seed: number): Uint32Array {
  const p = new Uint32Array(1024);
  for (let i = 0; i < p.length; i++) p[i] = (seed * 31 + i) >>> 0;
  return p;
}

function order(list: AccelPasidCacheList): number[] {
  const out: number[] = [];
  for (let s = list.head; s >= 0; s = list.next(s)) out.push(list.pasidAt(s));
  return out;
}

describe('AccelPasidCacheList', () => {
  it('inserts at the head and removes anywhere, like a QLIST', () => {
    const l = new AccelPasidCacheList();
    const p = page(1);
    for (const pasid of [1, 2, 3, 4]) l.insertHead(pasid, p, pasid * 16);
    expect(order(l)).toEqual([4, 3, 2, 1]);
    l.remove(l.find(3));
    expect(order(l)).toEqual([4, 2, 1]);
    expect(l.find(3)).toBe(-1);
    expect(l.length).toBe(3);
    expect(l.didAt(l.find(2))).toBe((p[2 * 16 + 2] ?? 0) & 0xffff);
  });

  it('compares entries word by word and by frozen page identity', () => {
    const l = new AccelPasidCacheList();
    const a = page(1);
    const b = a.slice();
    const slot = l.insertHead(5, a, 32);
    expect(l.equals(slot, a, 32)).toBe(true);
    expect(l.equals(slot, b, 32)).toBe(true);
    b[40] = (b[40] ?? 0) ^ 1;
    expect(l.equals(slot, b, 32)).toBe(false);
    l.overwrite(slot, b, 32);
    expect(l.equals(slot, b, 32)).toBe(true);
    expect(l.wordStore(slot)).toBe(b);
    expect(l.wordOffset(slot)).toBe(32);
  });

  test.prop([
    fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('insert' as const), pasid: fc.integer({ min: 0, max: 40 }) }),
        fc.record({ op: fc.constant('remove' as const), pasid: fc.integer({ min: 0, max: 40 }) }),
      ),
      { maxLength: 200 },
    ),
  ])('reports the 1-based position a linear search from the head finds', (ops) => {
    const l = new AccelPasidCacheList();
    const naive: number[] = [];
    const p = page(2);
    for (const o of ops) {
      const at = naive.indexOf(o.pasid);
      if (o.op === 'insert' && at < 0) {
        naive.unshift(o.pasid);
        l.insertHead(o.pasid, p, (o.pasid % 64) * 16);
      } else if (o.op === 'remove' && at >= 0) {
        naive.splice(at, 1);
        l.remove(l.find(o.pasid));
      }
      expect(order(l)).toEqual(naive);
      naive.forEach((pasid, i) => expect(l.positionOf(l.find(pasid))).toBe(i + 1));
    }
  });
});
