// Evidence from a real system and the reviewer's comparison, in Chromium: a guest's debugfs dump
// imported through the file input (and by drag-and-drop), a malformed dump refused with its line,
// a QEMU trace log appended, Compare variants on the torn-down-entry preset (the difference at the
// PASID-selective step, a click that moves the walk, Copy as Markdown), the debugfs view, the
// header at 1280×720, and screenshots in light and dark.

import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { collectErrors, idle, pageWidths, scenarioText } from './support.ts';

const FIXTURES = 'src/model/importers/__fixtures__';
const DUMP_NAME = 'linux-boot.dmar_translation_struct.txt';

function fixture(name: string): Promise<string> {
  return readFile(`${FIXTURES}/${name}`, 'utf8');
}

async function openPreset(page: Page, name: string): Promise<void> {
  await page.goto(`./?preset=${name}`);
  await idle(page);
}

/** The row of a cache table whose first cell is this PASID (decimal). */
function cacheRow(table: Locator, pasid: number): Locator {
  return table.locator('tbody tr', {
    has: table.page().locator('td:first-child', { hasText: new RegExp(`^${pasid}$`) }),
  });
}

function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() =>
    (
      globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
    ).navigator.clipboard.readText(),
  );
}

function playbackCursor(page: Page): Promise<{ cursor: number; stepStarts: number[] }> {
  return page.evaluate(() => {
    const w = globalThis as unknown as {
      pasidscope: {
        store: {
          getState(): {
            cursor: number;
            run?: { result: { trace: { stepStart: ArrayLike<number> } } };
          };
        };
      };
    };
    const s = w.pasidscope.store.getState();
    return { cursor: s.cursor, stepStarts: Array.from(s.run?.result.trace.stepStart ?? []) };
  });
}

test('import a debugfs dump through the file input: options, preview, caches, undo', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await openPreset(page, 'did-mismatch');
  const before = await scenarioText(page);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import scenario' }).click();
  await (
    await chooser
  ).setFiles({
    name: DUMP_NAME,
    mimeType: 'text/plain',
    buffer: Buffer.from(await fixture(DUMP_NAME)),
  });
  // A dump is not loaded blind: the dialog says what it is and what the import will make.
  const dialog = page.getByRole('dialog', { name: 'Import' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Read as')).toContainText('Detected: debugfs dump');
  await dialog.getByLabel('Device backend').selectOption('iommufd');
  const preview = dialog.getByRole('region', { name: 'Import preview' });
  await expect(preview).toContainText('dmar0: 3 devices (iommufd), 4 PASID entries');
  await expect(preview).toContainText('fsts on (the guest uses first-stage entries');
  expect(await scenarioText(page)).toBe(before);

  await dialog.getByRole('button', { name: 'Import dump' }).click();
  await idle(page);
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`file ${DUMP_NAME}`)).toBeVisible();
  await expect(page.getByRole('note').first()).toContainText(`Imported “${DUMP_NAME}”`);
  // The added global invalidation filled the accel caches from the dump's PASID entries (seen at
  // the end of the run: the page's clock lands on its first creation).
  await page
    .getByRole('region', { name: 'Caches' })
    .getByRole('button', { name: 'Jump to end' })
    .click();
  const accel = page.getByRole('table', { name: 'Accel PASID cache 00:02.0' });
  await expect(cacheRow(accel, 0)).toBeVisible();
  await expect(cacheRow(accel, 1)).toBeVisible();
  await expect(cacheRow(accel, 1).locator('td').nth(2)).toHaveText('1');
  await expect(page.getByRole('table', { name: 'Accel PASID cache 00:04.0' })).toBeVisible();

  // Undo brings back the scenario that was open.
  await page.getByRole('button', { name: 'Undo' }).click();
  await idle(page);
  expect(await scenarioText(page)).toBe(before);
  expect(errors).toEqual([]);
});

test('a malformed dump pasted in the dialog is refused with its line; the scenario stays', async ({
  page,
}) => {
  await openPreset(page, 'stale-did');
  const before = await scenarioText(page);
  const lines = (await fixture(DUMP_NAME)).split('\n');
  lines[3] = (lines[3] ?? '').replace('0x0000000000008e09', '0x8e09zz');
  await page.getByRole('button', { name: 'Paste text to import' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import' });
  await dialog.getByLabel('Text to import', { exact: true }).fill(lines.join('\n'));
  const alert = dialog.getByRole('alert');
  await expect(alert).toContainText('This debugfs dump cannot be imported.');
  await expect(alert).toContainText('column 3 (context entry)');
  await expect(alert.getByRole('button', { name: 'line 4' })).toBeVisible();
  await expect(alert).toContainText('Your current scenario is unchanged.');
  await expect(dialog.getByRole('button', { name: 'Import dump' })).toBeDisabled();
  // The line link selects the line at fault in the text.
  await alert.getByRole('button', { name: 'line 4' }).click();
  const selected = await dialog.getByLabel('Text to import', { exact: true }).evaluate((t) => {
    const area = t as unknown as { value: string; selectionStart: number; selectionEnd: number };
    return area.value.slice(area.selectionStart, area.selectionEnd);
  });
  expect(selected).toBe(lines[3]);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(await scenarioText(page)).toBe(before);
});

test('a dropped dump opens the dialog; a QEMU trace log is appended to it', async ({ page }) => {
  await openPreset(page, 'linux-boot');
  const drop = async (name: string, content: string): Promise<void> => {
    const dataTransfer = await page.evaluateHandle(
      ([text, fileName]) => {
        const g = globalThis as unknown as {
          DataTransfer: new () => { items: { add(f: unknown): void } };
          File: new (parts: string[], name: string, opts: { type: string }) => unknown;
        };
        const dt = new g.DataTransfer();
        dt.items.add(new g.File([text], fileName, { type: 'text/plain' }));
        return dt;
      },
      [content, name] as const,
    );
    await page.dispatchEvent('main', 'dragenter', { dataTransfer });
    await expect(page.getByText('or a guest’s debugfs dump, or a QEMU trace log')).toBeVisible();
    await page.dispatchEvent('main', 'drop', { dataTransfer });
  };
  await drop(DUMP_NAME, await fixture(DUMP_NAME));
  const dialog = page.getByRole('dialog', { name: 'Import' });
  await expect(dialog.getByRole('region', { name: 'Import preview' })).toContainText(
    '4 PASID entries',
  );
  await dialog.getByRole('button', { name: 'Import dump' }).click();
  await idle(page);
  const steps = JSON.parse(await scenarioText(page)) as { steps: unknown[] };
  expect(steps.steps).toHaveLength(1);

  const log = await fixture('linux-boot.qemu-trace.log');
  const descriptors = log.split('\n').filter((l) => l.includes('vtd_inv_desc invalidate')).length;
  await drop('qemu-trace.log', log);
  await expect(dialog.getByLabel('Read as')).toContainText('Detected: QEMU trace log');
  const preview = dialog.getByRole('region', { name: 'Import preview' });
  await expect(preview).toContainText(`${descriptors} descriptors → steps 2–${descriptors + 1}`);
  await expect(preview).toContainText('1 line is no trace event and was skipped (line 1)');
  await dialog.getByRole('button', { name: 'Append to scenario' }).click();
  await idle(page);
  const after = JSON.parse(await scenarioText(page)) as { steps: unknown[] };
  expect(after.steps).toHaveLength(1 + descriptors);
  await expect(page.getByRole('tab', { name: /^Steps/ })).toContainText(String(1 + descriptors));
  // No status write landed on an imported table (the dump's authoring form was used).
  await expect(page.getByText('The import has')).toHaveCount(0);
});

test('Compare variants on torn-down-entry: the PASID-selective step, a click to the walk, Markdown', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await openPreset(page, 'torn-down-entry');
  await page.getByRole('button', { name: 'Compare variants' }).click();
  await idle(page);
  const panel = page.getByRole('region', { name: 'Compare variants' });
  await expect(panel.getByRole('list', { name: 'Summary' })).toContainText(
    'seed vs series: the outcome of steps 1 and 3 differs; final caches: 1 entry differs',
  );
  await expect(panel.getByRole('tab', { name: /^seed ↔ series \(the patch\)/ })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  const stepsList = panel.getByRole('list', { name: /Steps that differ between seed and series/ });
  // Step 1 differs only on the host (the series attaches PASID 7; the seed binds only PASID 0);
  // step 3 is the removal.
  await expect(stepsList.getByRole('listitem')).toHaveCount(2);
  await expect(stepsList.getByRole('listitem').first()).toContainText('host calls');
  const step = stepsList.getByRole('listitem').filter({ hasText: 'Step 3' });
  await expect(step).toHaveCount(1);
  await expect(step).toContainText('PASID-selective');
  await expect(step).toContainText('cache changes');
  await expect(step.getByRole('row', { name: /series/ })).toContainText(
    '− accel 00:02.0 PASID 7 removed',
  );
  await expect(step.getByRole('row', { name: /seed/ })).toContainText('no cache change');
  await expect(panel.getByRole('list', { name: 'Final cache entries that differ' })).toContainText(
    'accel 00:02.0 PASID 7',
  );
  // The fix changes nothing here, and the panel says so plainly.
  await panel.getByRole('tab', { name: /^series ↔ series-fixed/ }).click();
  await expect(panel).toContainText('series and series-fixed agree on every step');
  await panel.getByRole('tab', { name: /^seed ↔ series \(the patch\)/ }).click();

  // A click on the step moves the walk view to its first event.
  await step.getByRole('button', { name: /^Step 3/ }).click();
  await idle(page);
  const at = await playbackCursor(page);
  expect(at.cursor).toBe(at.stepStarts[2]);
  await expect(page.getByRole('slider', { name: 'Timeline' })).toHaveAttribute(
    'aria-valuenow',
    String(at.stepStarts[2]),
  );

  // "Walk step 3 under series" switches the variant and moves to the step in that run.
  await step.getByRole('button', { name: 'Walk step 3 under series' }).click();
  await idle(page);
  await expect(page.getByLabel('Variant', { exact: true })).toHaveValue('series');
  const inSeries = await playbackCursor(page);
  expect(inSeries.cursor).toBe(inSeries.stepStarts[2]);

  await panel.getByRole('button', { name: 'Copy as Markdown' }).click();
  await expect(panel.getByRole('status')).toContainText('Markdown copied');
  const md = await readClipboard(page);
  expect(md).toContain('**PASIDscope variant comparison** — Torn-down PASID');
  expect(md).toContain(
    '- seed vs series: the outcome of steps 1 and 3 differs; final caches: 1 entry differs',
  );
  expect(md).toContain('- series vs series-fixed: no difference');
  expect(md).toMatch(/\n\| 3 \| PASID-cache, PASID-selective, DID 3, PASID 7/);
  expect(md).toContain('| accel 00:02.0 PASID 7 | present in one, absent in the other |');
  // No public address is built in: the scenario rides inline, never as a link to this machine.
  expect(md).toContain('-----BEGIN PASIDSCOPE SCENARIO-----\nscenario=1.');
  expect(md).not.toMatch(/127\.0\.0\.1|localhost/);

  // Esc closes the panel; the composer and caches are back.
  await panel.getByRole('button', { name: 'Copy as Markdown' }).focus();
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(page.getByRole('button', { name: 'Submit invalidation' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('Compare variants says plainly when every variant agrees', async ({ page }) => {
  // TE off: every sync returns early, so no variant caches or binds anything.
  await openPreset(page, 'te-off');
  await page.getByRole('button', { name: 'Compare variants' }).click();
  await idle(page);
  const panel = page.getByRole('region', { name: 'Compare variants' });
  await expect(panel).toContainText('All three variants agree');
  await expect(panel.getByRole('tab')).toHaveCount(0);
});

test('the debugfs view prints what the guest prints, and copies it', async ({ page }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await openPreset(page, 'linux-boot');
  await page.getByRole('button', { name: 'debugfs view' }).click();
  await idle(page);
  const dialog = page.getByRole('dialog', { name: /debugfs/ });
  const expected = await fixture(DUMP_NAME);
  const out = dialog.getByLabel('debugfs output', { exact: true });
  await expect(out).toContainText('IOMMU dmar0: Root Table Address: 0x1000');
  expect(await out.innerText()).toBe(expected.replace(/\n+$/, ''));
  await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(dialog).toContainText('Copied.');
  expect(await readClipboard(page)).toBe(expected);

  // Pasting the real machine's output (tabs turned to spaces by a terminal) shows no difference.
  await dialog.getByText('Compare with a real machine’s output').click();
  await dialog
    .getByLabel(/Paste the output of/)
    .fill(expected.replace(/\t/g, '    ').replace(/^00:04\.0.*\n/m, ''));
  await expect(dialog).toContainText('1 line only here, 0 only in the pasted output.');

  // The preset's guest builds its tables step by step: before step 1 there is nothing to print.
  await dialog.getByLabel('Tables as of').selectOption({ index: 1 });
  await idle(page);
  await expect(dialog).toContainText('0 rows, 0 devices');
  await dialog.getByLabel('Tables as of').selectOption('end');
  await idle(page);
  await expect(dialog).toContainText('4 rows, 3 devices');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});

test('the header and the open panel fit 1280×720 without horizontal scrolling', async ({
  page,
}) => {
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1920, height: 1080 },
  ]) {
    await page.setViewportSize(size);
    await openPreset(page, 'series-fallthrough');
    const header = page.locator('.app-header');
    const box = await header.boundingBox();
    // One row of controls: the header is no taller than a button row.
    expect(box?.height ?? 0, `header at ${size.width}`).toBeLessThan(50);
    await page.getByRole('button', { name: 'Compare variants' }).click();
    await idle(page);
    const w = await pageWidths(page);
    expect(w.scroll, `compare at ${size.width}`).toBeLessThanOrEqual(w.inner);
  }
});

test('screenshots of import, compare and debugfs, light and dark', async ({ page }) => {
  test.setTimeout(120_000);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    const shot = (name: string) =>
      page.screenshot({ path: `test-results/screens/${name}-1280-${scheme}.png` });
    await openPreset(page, 'series-fallthrough');
    await page.getByRole('button', { name: 'Compare variants' }).click();
    await idle(page);
    await shot('compare-variants');
    await page.getByRole('button', { name: 'Close the comparison' }).click();

    await page.getByRole('button', { name: 'Paste text to import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import' });
    await dialog.getByLabel('Text to import', { exact: true }).fill(await fixture(DUMP_NAME));
    await expect(dialog.getByRole('region', { name: 'Import preview' })).toContainText('dmar0');
    await shot('import-debugfs');
    await dialog.getByRole('button', { name: 'Import dump' }).click();
    await idle(page);
    await shot('imported-debugfs');

    await page.getByRole('button', { name: 'debugfs view' }).click();
    await idle(page);
    await shot('debugfs-view');
    await page.getByRole('button', { name: 'Close', exact: true }).click();
  }
});
