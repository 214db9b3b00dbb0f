// The walk drawn as QEMU's chain, read from the back row: at 1280×720 and 1920×1080, light and
// dark, with and without an entry selected, every named part of the chain sits inside the visible
// walk region and no text in the drawing is under 12 px (18 px in presentation mode at 1920×1080).
// Reference pictures of six key frames, and axe on the walk region.

import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { LeafOutcome, Structure, TraceKind } from '../src/model/index.ts';
import { collectErrors, idle } from './support.ts';

interface TraceView {
  readonly length: number;
  readonly kind: ArrayLike<number>;
  readonly a: ArrayLike<number>;
  readonly b: ArrayLike<number>;
}
interface SvgTextLike {
  readonly textContent: string | null;
  closest(sel: string): unknown;
  getScreenCTM(): { a: number } | null;
}
declare const window: {
  pasidscope?: {
    store: {
      getState(): {
        run?: { result: { trace: TraceView } };
        seekTo(e: number): void;
        setVariant(v: string): void;
        select(ref: unknown): void;
      };
    };
  };
};
declare const document: { querySelectorAll(sel: string): ArrayLike<SvgTextLike> };
declare function getComputedStyle(el: unknown): { fontSize: string; display: string };

const PARTS = [
  'Root entry',
  'Context entry',
  'PASID directory',
  'PASID table',
  'PASID entry',
  'Accel PASID cache',
  'Emulated PASID cache',
];

/** The first event matching kind, a (and b when given). */
async function findEvent(page: Page, kind: number, a: number, b = -1): Promise<number> {
  const at = await page.evaluate(
    ([k, o, bb]) => {
      const t = window.pasidscope?.store.getState().run?.result.trace;
      if (!t) return -1;
      for (let i = 0; i < t.length; i++) {
        if (t.kind[i] === k && (o < 0 || t.a[i] === o) && (bb < 0 || t.b[i] === bb)) return i;
      }
      return -1;
    },
    [kind, a, b] as const,
  );
  expect(at, `event kind ${String(kind)} / ${String(a)}`).toBeGreaterThanOrEqual(0);
  return at;
}

async function openAt(
  page: Page,
  query: string,
  find: (p: Page) => Promise<number>,
  variant?: string,
) {
  await page.goto(`/?${query}&motion=off`);
  await idle(page);
  if (variant) {
    await page.evaluate((v) => window.pasidscope?.store.getState().setVariant(v), variant);
    await idle(page);
  }
  const e = await find(page);
  await page.evaluate((ev) => window.pasidscope?.store.getState().seekTo(ev), e);
  await idle(page);
  return e;
}

const creation = (p: Page) => findEvent(p, TraceKind.LeafChecked, LeafOutcome.Created);

/** Every named part inside the visible drawing box, and the smallest rendered text size. */
async function checkChainFits(page: Page, minPx: number): Promise<void> {
  const canvas = page.locator('.walk-canvas');
  const box = await canvas.boundingBox();
  expect(box).not.toBeNull();
  const view = page.viewportSize();
  // The drawing's box is on screen (no page scrolling needed).
  expect(box!.y + box!.height).toBeLessThanOrEqual((view?.height ?? 0) + 1);
  for (const name of PARTS) {
    const part = page.getByRole('group', { name: new RegExp(`^${name}`) });
    await expect(part, name).toHaveCount(1);
    const b = await part.boundingBox();
    expect(b, name).not.toBeNull();
    expect(b!.x, `${name} left`).toBeGreaterThanOrEqual(box!.x - 1);
    expect(b!.y, `${name} top`).toBeGreaterThanOrEqual(box!.y - 1);
    expect(b!.x + b!.width, `${name} right`).toBeLessThanOrEqual(box!.x + box!.width + 1);
    expect(b!.y + b!.height, `${name} bottom`).toBeLessThanOrEqual(box!.y + box!.height + 1);
  }
  const smallest = await page.evaluate(() => {
    let min = Infinity;
    const texts = document.querySelectorAll('svg.walk-svg text');
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i]!;
      if (!t.textContent || t.closest('.exiting')) continue;
      const style = getComputedStyle(t);
      if (style.display === 'none') continue;
      min = Math.min(min, parseFloat(style.fontSize) * (t.getScreenCTM()?.a ?? 1));
    }
    return min;
  });
  expect(smallest).toBeGreaterThanOrEqual(minPx - 0.01);
}

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

for (const size of SIZES) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`the chain fits its box at ${String(size.width)}×${String(size.height)}, ${scheme}, with and without an entry selected`, async ({
      page,
    }) => {
      const errors = collectErrors(page);
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: scheme });
      await openAt(page, 'preset=linux-boot', creation);
      await expect(page.locator('[data-key="cache:00:02.0:0x1"]')).toHaveAttribute(
        'data-state',
        'created',
      );
      await checkChainFits(page, 12);
      await page.evaluate(() =>
        window.pasidscope?.store.getState().select({ kind: 'pasid', bdf: '00:02.0', pasid: 1 }),
      );
      await idle(page);
      await checkChainFits(page, 12);
      expect(errors).toEqual([]);
    });
  }
}

for (const scheme of ['light', 'dark'] as const) {
  test(`presentation mode at 1920×1080 draws nothing under 18 px (${scheme})`, async ({ page }) => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.emulateMedia({ colorScheme: scheme });
    await openAt(page, 'preset=linux-boot&present=1', creation);
    await expect(page.getByRole('button', { name: 'Exit presentation' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Step explanation' })).toContainText('list head');
    await checkChainFits(page, 18);
    const axe = await new AxeBuilder({ page }).include('.walk-region').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${String(v.nodes.length)}`)).toEqual([]);
  });
}

test('the Present button and P switch presentation mode, keeping the event', async ({ page }) => {
  const e = await openAt(page, 'preset=linux-boot', creation);
  await page.getByRole('button', { name: 'Present' }).click();
  await expect(page).toHaveURL(/present=1/);
  await expect(page.getByRole('button', { name: 'Exit presentation' })).toBeVisible();
  await expect(page.getByRole('slider', { name: 'Timeline' })).toHaveAttribute(
    'aria-valuenow',
    String(e),
  );
  await page.keyboard.press('p');
  await expect(page).not.toHaveURL(/present=1/);
  await expect(page.getByRole('button', { name: 'Present' })).toBeVisible();
});

test('the embeddable player is read-only and plays by itself', async ({ page }) => {
  await page.goto('/?preset=linux-boot&embed=1&motion=off');
  await idle(page);
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open in PASIDscope' })).toHaveAttribute(
    'href',
    /preset=linux-boot/,
  );
  // No editing: no editor, no composer, no structure browser.
  await expect(page.getByRole('button', { name: 'Submit invalidation' })).toHaveCount(0);
  await expect(page.getByRole('tree')).toHaveCount(0);
  await page.keyboard.press('Home');
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect(page.getByRole('slider', { name: 'Timeline' })).toHaveAttribute(
    'aria-valuenow',
    '1',
  );
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const axe = await new AxeBuilder({ page }).include('.walk-region').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${String(v.nodes.length)}`)).toEqual([]);
  }
});

test('the walk region has no accessibility violations, light and dark', async ({ page }) => {
  await openAt(page, 'preset=linux-boot', creation);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const axe = await new AxeBuilder({ page }).include('.walk-region').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${String(v.nodes.length)}`)).toEqual([]);
  }
});

// Six frames a lecture is built on, as reference pictures of the drawing (fixed viewport, motion off).
const FRAMES: readonly {
  name: string;
  preset: string;
  variant?: string;
  find: (p: Page) => Promise<number>;
}[] = [
  {
    name: 'root-read',
    preset: 'linux-boot',
    find: (p) => findEvent(p, TraceKind.GuestRead, Structure.RootEntry),
  },
  {
    name: 'directory-lens',
    preset: 'linux-boot',
    find: (p) => findEvent(p, TraceKind.DirChecked, 3),
  },
  {
    name: 'leaf-check',
    preset: 'did-mismatch',
    find: (p) => findEvent(p, TraceKind.LeafChecked, LeafOutcome.DidMismatch),
  },
  { name: 'creation-list-head', preset: 'linux-boot', find: creation },
  {
    name: 'removal-series',
    preset: 'torn-down-entry',
    variant: 'series',
    find: (p) => findEvent(p, TraceKind.AccelRemoved, -1),
  },
  {
    name: 'series-fall-through',
    preset: 'series-fallthrough',
    find: (p) => findEvent(p, TraceKind.EmuCreated, -1, 1),
  },
];

for (const frame of FRAMES) {
  test(`reference picture: ${frame.name}`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
    await openAt(page, `preset=${frame.preset}`, frame.find, frame.variant);
    await expect(page.locator('.walk-canvas')).toHaveScreenshot(`${frame.name}.png`, {
      animations: 'disabled',
      maxDiffPixelRatio: 0.002,
    });
  });
}
