// Accessibility: axe-core on every main screen, light and dark, at 1280×720 and 1920×1080, with no
// violations, the walk drawing included.

import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { idle } from './support.ts';

async function violations(page: Page, scope?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page });
  if (scope) builder = builder.include(scope);
  const result = await builder.analyze();
  return result.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
  );
}

/** The screens: each opens itself from the default screen and names what axe must check. */
const SCREENS: readonly {
  readonly name: string;
  readonly open: (page: Page) => Promise<void>;
  readonly close?: (page: Page) => Promise<void>;
}[] = [
  { name: 'default', open: async () => {} },
  {
    name: 'preset explanation',
    open: async (page) => {
      await page
        .getByRole('button', { name: 'Linux-like guest boot with two passthrough devices' })
        .click();
      await expect(page.getByRole('region', { name: 'About this scenario' })).toBeVisible();
    },
  },
  {
    name: 'entry editor',
    open: async (page) => {
      await page.getByLabel('Go to PASID', { exact: true }).fill('1');
      await page.getByRole('button', { name: 'Go', exact: true }).click();
      await expect(page.getByRole('heading', { name: /^PASID 1 \(0x1\)/ })).toBeVisible();
    },
  },
  {
    name: 'sidebar tabs',
    open: async (page) => {
      for (const tab of ['Steps', 'Devices', 'IOMMU']) {
        await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
      }
    },
  },
  {
    name: 'import dialog',
    open: async (page) => {
      await page.getByRole('button', { name: 'Paste text to import' }).click();
      await expect(page.getByRole('dialog', { name: 'Import' })).toBeVisible();
    },
  },
  {
    name: 'compare',
    open: async (page) => {
      await page.getByRole('button', { name: 'Compare variants' }).click();
      await expect(page.getByRole('region', { name: 'Compare variants' })).toBeVisible();
      await idle(page);
    },
  },
  {
    name: 'debugfs dialog',
    open: async (page) => {
      await page.getByRole('button', { name: 'debugfs view' }).click();
      await expect(page.getByRole('dialog', { name: /debugfs/ })).toBeVisible();
    },
  },
  {
    name: 'shortcuts dialog',
    open: async (page) => {
      await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
      await expect(page.getByRole('dialog', { name: /shortcuts/i })).toBeVisible();
    },
  },
];

for (const size of [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
]) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`axe: no violations on any screen, ${scheme}, ${String(size.width)}×${String(size.height)}`, async ({
      page,
    }) => {
      test.setTimeout(120_000);
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      const found: string[] = [];
      for (const screen of SCREENS) {
        await page.goto('./?preset=linux-boot&motion=off');
        await idle(page);
        await screen.open(page);
        await idle(page);
        found.push(...(await violations(page)).map((v) => `[${screen.name}] ${v}`));
      }
      expect(found).toEqual([]);
    });
  }
}

// The presets whose runs leave marks (removed, stale, failed host calls, leaks, IQE), at the event
// they land on and at the end of the run: marks are where contrast slips. Light and dark, 1280×720.
const MARKED = new Set([
  'did-mismatch',
  'torn-down-entry',
  'stale-did',
  'accel-pce-deleted-bypass',
  'series-fallthrough',
  'reserved-bits-iqe',
]);
const PRESETS = (
  JSON.parse(readFileSync(new URL('../public/scenarios/index.json', import.meta.url), 'utf8')) as {
    name: string;
  }[]
)
  .map((p) => p.name)
  .filter((name) => MARKED.has(name) || name.startsWith('host-'));

for (const scheme of ['light', 'dark'] as const) {
  test(`axe: no violations on presets with marks (landing event and end of run), ${scheme}`, async ({
    page,
  }) => {
    test.setTimeout(300_000);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    const found: string[] = [];
    for (const name of PRESETS) {
      await page.goto(`./?preset=${name}&motion=off`);
      await idle(page);
      found.push(...(await violations(page)).map((v) => `[${name}, landing] ${v}`));
      // The transport's button (the Caches panel's has the same name while not at the end).
      await page
        .getByRole('button', { name: 'Jump to end', description: 'Jump to end (End)' })
        .click();
      await idle(page);
      found.push(...(await violations(page)).map((v) => `[${name}, end] ${v}`));
    }
    expect(found).toEqual([]);
  });
}
