// The app's real flows in Chromium: preset → edit → invalidate → cache row changes; undo; reload;
// share links; import (picker and drag-and-drop) and export; screenshots of every screen.

import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { collectErrors, idle, pageWidths, scenarioText } from './support.ts';

async function openPreset(page: Page, name: string): Promise<void> {
  await page.goto(`./?preset=${name}`);
  await idle(page);
}

async function goToPasid(page: Page, bdf: string, pasid: number): Promise<void> {
  const device = page.getByLabel('Device for Go to PASID');
  if (await device.count()) await device.selectOption(bdf);
  await page.getByLabel('Go to PASID', { exact: true }).fill(String(pasid));
  await page.getByRole('button', { name: 'Go', exact: true }).click();
  await idle(page);
}

/** The row of a cache table whose first cell is this PASID (decimal). */
function cacheRow(table: Locator, pasid: number): Locator {
  return table.locator('tbody tr', {
    has: table.page().locator('td:first-child', { hasText: new RegExp(`^${pasid}$`) }),
  });
}

test('edit a PASID entry, invalidate, see the cache row change, undo, reload', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('./');
  await idle(page);
  await expect(page.getByRole('heading', { name: 'PASIDscope' })).toBeVisible();

  // Load a preset from the Preset menu.
  await page.getByLabel('Preset', { exact: true }).selectOption('linux-boot');
  await idle(page);
  const title = page.getByRole('button', {
    name: 'Linux-like guest boot with two passthrough devices',
  });
  await expect(title).toBeVisible();
  // The preset's explanation opens under its title.
  await title.click();
  await expect(page.getByRole('region', { name: 'About this scenario' })).toContainText(
    'intel-iommu driver does at boot',
  );
  await title.click();
  const accel = page.getByRole('table', { name: 'Accel PASID cache 00:02.0' });
  await expect(cacheRow(accel, 1).locator('td').nth(2)).toHaveText('1');

  // Edit PASID 1's DID: 1 → 5. The cached copy is now stale.
  await goToPasid(page, '00:02.0', 1);
  await expect(page.getByRole('heading', { name: /^PASID 1 \(0x1\) — 00:02\.0/ })).toBeVisible();
  const did = page.getByLabel('DID', { exact: true });
  await expect(did).toHaveValue('1');
  await did.fill('5');
  await did.press('Enter');
  await idle(page);
  await expect(page.getByLabel('val[1]')).toHaveValue('0x0000000000000005');
  await expect(cacheRow(accel, 1)).toContainText('stale');

  // Submit a domain-selective invalidation for DID 5.
  await page.getByLabel('Granularity').selectOption({ label: 'Domain-selective' });
  await page.getByLabel('Domain ID').fill('5');
  await expect(page.getByRole('definition').first()).toHaveText('0x0000000000050007');
  await page.getByRole('button', { name: 'Submit invalidation' }).click();
  await idle(page);
  await expect(page.locator('.status-region')).toContainText(
    '(PASID-cache, domain-selective, DID 5): processed',
  );
  await expect(page.locator('.status-region')).toContainText('accel: 1 updated');
  const row = cacheRow(accel, 1);
  await expect(row.locator('td').nth(2)).toHaveText('5');
  await expect(row).toContainText('updated');
  await expect(row).toContainText('DID 1→5');
  await expect(row).not.toContainText('stale');

  // Undo the invalidation: the row is stale again with DID 1; the edit stays.
  await page.getByRole('button', { name: 'Undo' }).click();
  await idle(page);
  await expect(cacheRow(accel, 1).locator('td').nth(2)).toHaveText('1');
  await expect(cacheRow(accel, 1)).toContainText('stale');
  // Ctrl+Z / Shift+Ctrl+Z work too (focus outside a text field).
  await page.getByRole('heading', { name: 'PASIDscope' }).click();
  await page.keyboard.press('Control+Shift+Z');
  await idle(page);
  await expect(cacheRow(accel, 1).locator('td').nth(2)).toHaveText('5');
  await page.keyboard.press('Control+Z');
  await idle(page);
  await expect(cacheRow(accel, 1).locator('td').nth(2)).toHaveText('1');

  // Reload: the edit is still there (autosave), the scenario exactly as it was.
  const before = await scenarioText(page);
  await page.reload();
  await idle(page);
  expect(await scenarioText(page)).toBe(before);
  await goToPasid(page, '00:02.0', 1);
  await expect(page.getByLabel('DID', { exact: true })).toHaveValue('5');
  await expect(page.getByText('preset linux-boot · edited')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a share link opens the same scenario in a fresh browser context', async ({
  browser,
  page,
}) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await openPreset(page, 'did-mismatch');
  await page.getByLabel('Granularity').selectOption({ label: 'Global' });
  await page.getByRole('button', { name: 'Submit invalidation' }).click();
  await idle(page);
  await page.getByRole('button', { name: 'Copy share link' }).click();
  const link = await page.evaluate(() =>
    (
      globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
    ).navigator.clipboard.readText(),
  );
  expect(link).toMatch(/#scenario=1\./);
  const original = await scenarioText(page);

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  const errors = collectErrors(other);
  await other.goto(link);
  await idle(other);
  expect(await scenarioText(other)).toBe(original);
  await expect(other.getByText('share link', { exact: true })).toBeVisible();
  // The link was consumed: the address bar no longer carries the scenario.
  expect(other.url()).not.toContain('scenario=');
  expect(errors).toEqual([]);

  // A truncated link: a clear error, and the scenario that was there stays.
  const cut = link.slice(0, link.length - 40);
  await other.goto('about:blank');
  await other.goto(cut);
  await idle(other);
  await expect(other.getByRole('alert')).toContainText('Could not open the share link');
  await expect(other.getByRole('alert')).toContainText('damaged or cut short');
  expect(await scenarioText(other)).toBe(original);
  await fresh.close();
});

test('importing a malformed file shows an error and keeps the scenario', async ({ page }) => {
  await openPreset(page, 'stale-did');
  const before = await scenarioText(page);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import scenario' }).click();
  await (
    await chooser
  ).setFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(
      JSON.stringify({
        format: 'pasidscope-scenario',
        version: 1,
        iommu: {},
        devices: [{ bdf: 'zz' }],
      }),
    ),
  });
  await idle(page);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Could not import "broken.json"');
  await expect(alert).toContainText('Your current scenario is unchanged.');
  await expect(alert.locator('code').first()).toBeVisible();
  expect(await scenarioText(page)).toBe(before);
});

test('export, then import by drag-and-drop, gives the same scenario', async ({ page }) => {
  await openPreset(page, 'torn-down-entry');
  await page.getByLabel('Variant').selectOption('series');
  await idle(page);
  const expected = await scenarioText(page);
  const download = page.waitForEvent('download');
  await page.getByText('Export', { exact: true }).click();
  await page.getByRole('button', { name: 'Export scenario' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.pasidscope\.json$/);
  const text = await readFile(await file.path(), 'utf8');
  expect(JSON.parse(text)).toEqual(JSON.parse(expected));

  // Load something else, then drop the exported file on the page.
  await page.getByLabel('Preset', { exact: true }).selectOption('did-mismatch');
  await idle(page);
  expect(await scenarioText(page)).not.toBe(expected);
  const dataTransfer = await page.evaluateHandle(
    ([content, name]) => {
      const g = globalThis as unknown as {
        DataTransfer: new () => { items: { add(f: unknown): void } };
        File: new (parts: string[], name: string, opts: { type: string }) => unknown;
      };
      const dt = new g.DataTransfer();
      dt.items.add(new g.File([content], name, { type: 'application/json' }));
      return dt;
    },
    [text, 'exported.pasidscope.json'] as const,
  );
  await page.dispatchEvent('main', 'dragenter', { dataTransfer });
  await expect(page.getByText('Drop a scenario file to import it')).toBeVisible();
  await page.dispatchEvent('main', 'drop', { dataTransfer });
  await idle(page);
  expect(await scenarioText(page)).toBe(expected);
  await expect(page.getByText('file exported.pasidscope.json')).toBeVisible();
});

test('no horizontal scrolling at 1280×720 and 1920×1080', async ({ page }) => {
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1920, height: 1080 },
  ]) {
    await page.setViewportSize(size);
    await openPreset(page, 'linux-boot');
    await goToPasid(page, '00:02.0', 0);
    for (const tab of ['Structures', 'Steps', 'Devices', 'IOMMU']) {
      await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
      const w = await pageWidths(page);
      expect(w.scroll, `${tab} at ${size.width}×${size.height}`).toBeLessThanOrEqual(w.inner);
    }
  }
});

test('keyboard: the structure browser, tabs and editor are reachable without a mouse', async ({
  page,
}) => {
  await openPreset(page, 'did-mismatch');
  const tree = page.getByRole('tree', { name: 'Guest structures' });
  await tree.getByRole('treeitem').first().focus();
  // Down to the first PASID row and select it with Enter.
  for (let i = 0; i < 12; i++) {
    const label = await page.evaluate(
      () =>
        (
          globalThis as unknown as {
            document: { activeElement: { getAttribute(n: string): string | null } | null };
          }
        ).document.activeElement?.getAttribute('aria-label') ?? '',
    );
    if (/^PASID \d/.test(label)) break;
    await page.keyboard.press('ArrowDown');
    await idle(page);
  }
  await page.keyboard.press('Enter');
  await idle(page);
  await expect(page.getByRole('heading', { name: /^PASID \d+ \(0x/ })).toBeVisible();
  await expect(tree.locator('[aria-selected="true"]')).toHaveCount(1);
  // Tabs switch with the arrow keys.
  await page.getByRole('tab', { name: /^Structures/ }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: /^Steps/ })).toHaveAttribute('aria-selected', 'true');
});

// Reference screenshots of the key screens (committed next to this spec): motion off, the idle hook,
// fixed viewports. The walk region is masked while its drawing is being rebuilt elsewhere.
const SCREEN_SIZES = [
  { width: 1280, height: 720, tag: '1280' },
  { width: 1920, height: 1080, tag: '1920' },
] as const;

for (const size of SCREEN_SIZES) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`screens match their references, ${scheme}, ${size.tag}`, async ({ page }) => {
      test.setTimeout(120_000);
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      const shot = async (name: string): Promise<void> => {
        await idle(page);
        await expect(page).toHaveScreenshot(`${name}-${size.tag}-${scheme}.png`, {
          // The walk is redrawn elsewhere; the comparison's foot says how long it took (wall time).
          mask: [page.locator('.walk-region'), page.locator('.compare-foot')],
          maxDiffPixels: 0,
        });
      };
      // A modal dialog on its own (a mask would paint over it where it covers the walk).
      const dialogShot = async (name: string, title: RegExp): Promise<void> => {
        await idle(page);
        await expect(page.getByRole('dialog', { name: title })).toHaveScreenshot(
          `${name}-${size.tag}-${scheme}.png`,
          { maxDiffPixels: 0 },
        );
      };
      await page.goto('./?preset=linux-boot&motion=off');
      await shot('default');
      await page.goto('./?preset=stale-did&motion=off');
      await idle(page);
      await goToPasid(page, '00:02.0', 7);
      await shot('structures-editor');
      await page.getByRole('tab', { name: /^Steps/ }).click();
      await shot('steps');
      await page.getByRole('tab', { name: /^Structures/ }).click();
      await page.getByRole('button', { name: 'Compare variants' }).click();
      await shot('compare');
      await page.getByRole('button', { name: 'Close the comparison' }).click();
      await page.getByRole('button', { name: 'Paste text to import' }).click();
      await dialogShot('import-dialog', /^Import/);
      await page
        .getByRole('dialog', { name: 'Import' })
        .getByRole('button', { name: 'Cancel' })
        .click();
      await page.getByRole('button', { name: 'debugfs view' }).click();
      await dialogShot('debugfs-dialog', /debugfs/);
      await page.getByRole('button', { name: 'Close', exact: true }).click();
      await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
      await dialogShot('shortcuts-dialog', /shortcuts/i);
      await page.keyboard.press('Escape');
      await page.getByLabel('Descriptor', { exact: true }).selectOption('raw');
      await page.getByLabel('Descriptor val[0]').fill('0x27');
      await page.getByRole('button', { name: 'Submit invalidation' }).click();
      await shot('rejected-iqe');
    });
  }
}
