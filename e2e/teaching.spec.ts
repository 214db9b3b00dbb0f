// Teaching screens, driven by accessible names: a tour from the Tours menu (keyboard only) moves
// the playhead stop by stop; Predict → radio groups → Reveal scores against the model's own run
// (computed here from the scenario the page holds, never typed in); a cache row's "Where did this
// come from?" links move the playhead. Axe finds nothing on these screens, light and dark.

import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import {
  ENTRY_FATES,
  parseScenarioText,
  revealPredictions,
  runScenario,
  type EntryFate,
} from '../src/model/index.ts';
import { idle, scenarioText } from './support.ts';

const moment = (page: Page) => page.locator('.cache-moment > span').first();

async function axe(page: Page, scope: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).include(scope).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

async function shot(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const { width } = page.viewportSize() ?? { width: 0 };
    await page.screenshot({ path: test.info().outputPath(`${name}-${width}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('a tour, by keyboard alone: menu, stops, the playhead moves, Esc leaves', async ({ page }) => {
  await page.goto('/');
  await idle(page);
  const tours = page.getByRole('button', { name: 'Tours' });
  await tours.focus();
  await page.keyboard.press('Enter');
  const item = page.getByRole('menuitem', { name: /Why a PASID-selective invalidation can miss/ });
  await expect(page.getByRole('menuitem').first()).toBeFocused();
  const titles = await page.getByRole('menuitem').allTextContents();
  const at = titles.findIndex((t) => t.startsWith('Why a PASID-selective invalidation can miss'));
  for (let i = 0; i < at; i++) await page.keyboard.press('ArrowDown');
  await expect(item).toBeFocused();
  await page.keyboard.press('Enter');
  await idle(page);
  const region = page.getByRole('region', { name: 'Tour' });
  await expect(region).toContainText('Stop 1 of 2');
  await expect(region).toContainText('The DID filter');
  await expect(page).toHaveURL(/tour=why-pasid-selective-misses&at=1/);
  const first = await moment(page).textContent();

  await region.getByRole('button', { name: 'Next stop' }).focus();
  await page.keyboard.press('Enter');
  await expect(region).toContainText('Stop 2 of 2');
  await expect(region).toContainText('Question:');
  await expect(moment(page)).not.toHaveText(first ?? '');
  await expect(page).toHaveURL(/at=2/);
  // The stop points at a cache row: it is marked.
  await expect(page.locator('table.cache tr.tour-highlight')).toHaveCount(1);

  await region.getByRole('button', { name: 'Previous stop' }).click();
  await expect(region).toContainText('Stop 1 of 2');
  await expect(moment(page)).toHaveText(first ?? '');
  expect(await axe(page, '.tour-panel')).toEqual([]);

  await page.keyboard.press('Escape');
  await expect(region).toHaveCount(0);
  await expect(page).not.toHaveURL(/tour=/);

  // Progress stays in the browser: the menu marks the tour whose last stop was seen.
  await tours.click();
  await expect(item).toContainText('done');
  await page.keyboard.press('Escape');
  await expect(tours).toBeFocused();
});

test('a tour link opens at its stop', async ({ page }) => {
  await page.goto('/?tour=find-a-pasid-entry&at=3');
  await idle(page);
  const region = page.getByRole('region', { name: 'Tour' });
  await expect(region).toContainText('Stop 3 of 4');
  await expect(region).toContainText('The PASID directory entry');
});

test('predict, then reveal: the score is the model’s', async ({ page }) => {
  await page.goto('/?preset=did-mismatch');
  await idle(page);
  await page.getByRole('button', { name: 'Predict', exact: true }).click();
  await idle(page);
  const groups = page.getByRole('radiogroup', { name: /^Prediction for / });
  const count = await groups.count();
  expect(count).toBeGreaterThan(0);
  const chosen = new Map<string, EntryFate>();
  for (let i = 0; i < count; i++) {
    const g = groups.nth(i);
    const key = ((await g.getAttribute('aria-label')) ?? '').replace('Prediction for ', '');
    const fate = ENTRY_FATES[i % ENTRY_FATES.length] ?? 'unchanged';
    await g.getByRole('radio', { name: fate }).check();
    chosen.set(key, fate);
  }
  await page.getByRole('button', { name: 'Reveal' }).click();
  await idle(page);
  // Reveal submitted the invalidation: the page's scenario now ends with it.
  const parsed = parseScenarioText(await scenarioText(page));
  if (!parsed.ok) throw new Error('scenario did not parse');
  const run = runScenario(parsed.scenario);
  const expected = revealPredictions(run, parsed.scenario.steps.length - 1, chosen);
  await expect(page.getByRole('status').filter({ hasText: / right$/ })).toHaveText(expected.score);
  expect(expected.total).toBe(count);
  for (const miss of expected.entries.filter((e) => !e.right))
    await expect(page.getByRole('region', { name: 'Prediction' })).toContainText(miss.reason);
  expect(await axe(page, '.predict-panel')).toEqual([]);
});

test('where a cache entry came from: links move the playhead', async ({ page }) => {
  await page.goto('/?preset=stale-did');
  await idle(page);
  const caches = page.getByRole('region', { name: 'Caches' });
  const end = caches.getByRole('button', { name: 'Jump to end' });
  if (await end.isVisible()) await end.click();
  await caches
    .getByRole('button', { name: /^Where did this come from\?/ })
    .first()
    .click();
  const where = caches.getByRole('group', { name: /^Where PASID \d+ of \S+ came from$/ });
  await expect(where).toContainText('Created by');
  await expect(where).toContainText('Stale since');
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    expect(await axe(page, '.caches-panel')).toEqual([]);
  }
  await shot(page, 'provenance');
  const link = where.getByRole('link', { name: /^step \d+$/ }).first();
  const step = ((await link.textContent()) ?? '').replace('step ', '');
  await link.click();
  await expect(moment(page)).toContainText(`at step ${step} · event 1 of`);
});

for (const size of [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
]) {
  test(`teaching screens at ${size.width}: axe light and dark, screenshots`, async ({ page }) => {
    await page.setViewportSize(size);
    await page.goto('/?tour=why-pasid-selective-misses&at=2');
    await idle(page);
    await page.getByRole('button', { name: 'Predict this step' }).click();
    await expect(page.getByRole('region', { name: 'Prediction' })).toBeVisible();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await axe(page, '.tour-panel')).toEqual([]);
      expect(await axe(page, '.predict-panel')).toEqual([]);
    }
    await shot(page, 'tour-predict');
    await page.getByRole('button', { name: 'Tours' }).click();
    await shot(page, 'tours-menu');
    await page.keyboard.press('Escape');
    await page.goto('/?tour=find-a-pasid-entry&at=2&present=1');
    await idle(page);
    await shot(page, 'tour-present');
  });
}
