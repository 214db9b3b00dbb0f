// docs/first-tour.md, followed step by step: every "you see" of the tour is checked here. Motion is
// off (the tour's autoplay would otherwise move the playhead under the checks).

import { expect, test, type Locator, type Page } from '@playwright/test';
import { collectErrors, idle } from './support.ts';

function caches(page: Page): Locator {
  return page.getByRole('region', { name: 'Caches' });
}

/** The row of a cache table whose first cell is this PASID (decimal). */
function cacheRow(table: Locator, pasid: number): Locator {
  return table.locator('tbody tr', {
    has: table.page().locator('td:first-child', { hasText: new RegExp(`^${String(pasid)}$`) }),
  });
}

test('the first tour: seed keeps a torn-down entry, series removes it; the series fall-through', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const errors = collectErrors(page);

  // 1. Open torn-down-entry: seed, step 3, PASID 7 still cached and stale.
  await page.goto('./?preset=torn-down-entry&motion=off');
  await idle(page);
  await expect(page.getByLabel('Variant', { exact: true })).toHaveValue('seed');
  await expect(caches(page)).toContainText(/at step 3 · event \d+ of \d+/);
  const accel = page.getByRole('table', { name: 'Accel PASID cache 00:02.0' });
  await expect(cacheRow(accel, 7)).toContainText('stale');
  await expect(caches(page)).toContainText('The seed patch never removes accel entries');

  // 2. Jump to end: step 4 zeroes the entry; the seed still holds PASID 7, stale.
  await caches(page).getByRole('button', { name: 'Jump to end' }).click();
  await idle(page);
  await expect(caches(page)).toContainText(/at step 4 · event 1 of 1/);
  await expect(caches(page)).toContainText('end of the run');
  await expect(cacheRow(accel, 7)).toContainText('stale');

  // 3. Switch to series: still step 4; the last invalidation (step 3) removed PASID 7. Back to the
  // moment it happened.
  await page.getByLabel('Variant', { exact: true }).selectOption('series');
  await idle(page);
  await expect(caches(page)).toContainText(/at step 4 · event 1 of 1/);
  await expect(cacheRow(accel, 7)).toContainText('removed');
  await expect(cacheRow(accel, 7)).not.toContainText('stale');
  await page.getByRole('button', { name: 'Previous interesting event' }).click();
  await idle(page);
  await expect(caches(page)).toContainText(/at step 3 · event \d+ of \d+/);
  await expect(cacheRow(accel, 7)).toContainText('removed');
  await expect(cacheRow(accel, 7)).not.toContainText('stale');

  // 4. Compare variants: seed and series differ on step 3 (and on step 1's host calls).
  await page.getByRole('button', { name: 'Compare variants' }).click();
  await idle(page);
  const panel = page.getByRole('region', { name: 'Compare variants' });
  await expect(panel.getByRole('list', { name: 'Summary' })).toContainText(
    'seed vs series: the outcome of steps 1 and 3 differs',
  );
  await page.getByRole('button', { name: 'Close the comparison' }).click();

  // 5. Open series-fallthrough: step 7, emulated PASID 5 removed.
  await page.getByLabel('Preset', { exact: true }).selectOption('series-fallthrough');
  await idle(page);
  await expect(page.getByLabel('Variant', { exact: true })).toHaveValue('series');
  await expect(caches(page)).toContainText(/at step 7 · event \d+ of \d+/);
  const emulated = page.getByRole('table', { name: 'Emulated PASID cache 00:03.0' });
  await expect(cacheRow(emulated, 5)).toContainText('removed');
  await expect(cacheRow(emulated, 5).locator('td').nth(1)).toHaveText('no');

  // 6. Next interesting event: the fall-through stores the all-zero entry as valid.
  await page.getByRole('button', { name: 'Next interesting event' }).click();
  await idle(page);
  await expect(cacheRow(emulated, 5)).toContainText('created');
  await expect(cacheRow(emulated, 5).locator('td').nth(1)).toHaveText('yes');
  await expect(cacheRow(emulated, 5).locator('td').nth(2)).toHaveText('0');

  // 7. Compare: series and series-fixed differ; under series-fixed, PASID 5 stays invalid.
  await page.getByRole('button', { name: 'Compare variants' }).click();
  await idle(page);
  await expect(panel.getByRole('list', { name: 'Summary' })).toContainText(
    /series vs series-fixed: the outcome of steps 3, 4, 6 and 7 differs/,
  );
  await expect(panel.getByRole('list', { name: 'Final cache entries that differ' })).toContainText(
    'emulated 00:03.0 PASID 5',
  );
  await page.getByRole('button', { name: 'Close the comparison' }).click();
  await page.getByLabel('Variant', { exact: true }).selectOption('series-fixed');
  await idle(page);
  await expect(caches(page)).toContainText(/at step 7 · event \d+ of \d+/);
  await expect(cacheRow(emulated, 5).locator('td').nth(1)).toHaveText('no');
  await expect(cacheRow(emulated, 5)).not.toContainText('created');
  expect(errors).toEqual([]);
});
