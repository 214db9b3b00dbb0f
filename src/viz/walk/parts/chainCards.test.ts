import { describe, expect, it } from 'vitest';
import type { DeviceConfig } from '../../../model/core.ts';
import type { ContextView } from '../guestStructures.ts';
import { layoutContextCard, layoutRootCard } from './chainCards.ts';

const device = {
  bdf: '00:02.0',
  bus: 0,
  devfn: 0x10,
  backend: 'iommufd',
} as unknown as DeviceConfig;
const ctx: ContextView = {
  rootEntryAddr: 0x1000n,
  rootPresent: true,
  contextAddr: 0x5200n,
  present: true,
  pdts: 7,
  dirBase: 0x8000n,
  dirEntries: 16384,
};
const at = { x: 0, y: 0, w: 180 };

describe('the root and context cards', () => {
  it('show where the root entry points and what the context entry gives the walk', () => {
    const root = layoutRootCard(device, ctx, true, at);
    expect(root.name).toBe('Root entry for bus 0');
    expect(root.texts.map((t) => t.text).join(' ')).toContain('@ 0x1000');
    const c = layoutContextCard(device, ctx, false, undefined, at);
    expect(c.name).toMatch(/^Context entry for 00:02.0: /);
    expect(c.texts.map((t) => t.text)).toEqual([
      'Context entry',
      'devfn 0x10 @ 0x5200',
      'PDTS 7: 16,384 entries',
      'dir @ 0x8000',
    ]);
  });

  it('mark a missing root or context entry, and a lookup fault', () => {
    expect(layoutRootCard(device, { ...ctx, rootPresent: false }, false, at).tone).toBe('missing');
    expect(layoutContextCard(device, { ...ctx, present: false }, false, undefined, at).tone).toBe(
      'missing',
    );
    const fault = layoutContextCard(device, ctx, true, 0x5a, at);
    expect(fault.tone).toBe('fault');
    expect(fault.texts.map((t) => t.text).join(' ')).toContain('lookup fault 0x5a: skipped');
  });

  it('never let a line run past the card, and wrap rather than cut: the card grows', () => {
    const wide = layoutContextCard(device, ctx, false, undefined, at);
    const narrow = layoutContextCard(device, ctx, false, undefined, { x: 0, y: 0, w: 100 });
    for (const t of narrow.texts) {
      expect(t.text.length * t.size * 0.58).toBeLessThanOrEqual(100);
      expect(t.text).not.toContain('…');
      expect(t.y + 4).toBeLessThanOrEqual(narrow.h);
    }
    const words = (m: typeof wide) => m.texts.map((t) => t.text).join(' ');
    expect(words(narrow)).toBe(words(wide));
    expect(narrow.h).toBeGreaterThan(wide.h);
    const root = layoutRootCard(device, ctx, false, { x: 0, y: 0, w: 100 });
    expect(root.texts.map((t) => t.text).join(' ')).toBe(
      'Root entry bus 0 @ 0x1000 P=1 → ctx 0x5000',
    );
  });

  it('keep a shared minimum height', () => {
    expect(layoutRootCard(device, ctx, false, { ...at, h: 120 }).h).toBe(120);
  });
});
