// One clock: the Caches panel and the structure browser follow the walk's playhead, and a run lands
// on the first moment that matters of the step concerned.

import { expect, test, type Page } from '@playwright/test';
import { idle } from './support.ts';

function cachesRegion(page: Page) {
  return page.getByRole('region', { name: 'Caches' });
}

test('before the creation event the Caches region does not show the new entry; at it, it does', async ({
  page,
}) => {
  await page.goto('./?preset=linux-boot&motion=off');
  await idle(page);
  // Landed on the highlighted step's first moment: PASID 1 of 00:02.0 is created (step 28).
  const caches = cachesRegion(page);
  await expect(caches).toContainText(/at step 28 · event \d+ of \d+/);
  const accel = page.getByRole('table', { name: 'Accel PASID cache 00:02.0' });
  const row = accel.locator('tbody tr', { hasText: 'created' });
  await expect(row).toHaveCount(1);
  await expect(row.locator('td').first()).toHaveText('1');
  const marker = await caches.locator('.cache-moment').textContent();

  // One event back: the entry is not there yet, anywhere on the page.
  await page.getByRole('button', { name: 'Step back' }).click();
  await idle(page);
  await expect(caches.locator('.cache-moment')).not.toHaveText(marker ?? '');
  await expect(accel).not.toContainText('created');
  await expect(accel.locator('tbody tr td:first-child', { hasText: /^1$/ })).toHaveCount(0);

  // Forward again: back at the head of the list.
  await page.getByRole('button', { name: 'Step forward' }).click();
  await idle(page);
  await expect(accel.locator('tbody tr').first().locator('td').first()).toHaveText('1');

  // Jump to end: the end of the run, and the action is gone.
  await caches.getByRole('button', { name: 'Jump to end' }).click();
  await idle(page);
  await expect(caches).toContainText('end of the run');
  await expect(caches.getByRole('button', { name: 'Jump to end' })).toHaveCount(0);
});

test('opening a preset plays from its first moment when motion is allowed', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await page.goto('./?preset=linux-boot');
  // Playing: the transport offers Pause while the playhead walks on.
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await page.getByRole('button', { name: 'Pause' }).click();
});

test('a step link keeps its exact event and does not play', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await page.goto('./?preset=linux-boot#step=3');
  await idle(page);
  await expect(page.getByRole('slider', { name: 'Timeline' })).toHaveAttribute(
    'aria-valuenow',
    '3',
  );
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  await expect(cachesRegion(page)).toContainText('at step 1 · event 4 of');
});

test('under seed a stale row says why nothing fixes it there and offers the series', async ({
  page,
}) => {
  await page.goto('./?preset=torn-down-entry&motion=off');
  await idle(page);
  const caches = cachesRegion(page);
  await caches.getByRole('button', { name: 'Jump to end' }).click();
  await idle(page);
  await expect(caches).toContainText('The seed patch never removes accel entries');
  await caches.getByRole('button', { name: 'Switch to series' }).click();
  await idle(page);
  await expect(page.getByLabel('Variant')).toHaveValue('series');
  // Under the series PASID 7 is gone from 00:02.0's list, so nothing is stale any more.
  await expect(caches.getByRole('button', { name: 'Switch to series' })).toHaveCount(0);
  await expect(caches).not.toContainText('⚠ stale');
});
