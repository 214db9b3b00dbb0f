// Links and files that cannot be honoured, in a fresh browser: the notice must name what failed,
// stay after the fallback scenario has loaded, and say each problem once.

import { expect, test, type Locator, type Page } from '@playwright/test';
import { collectErrors, idle, scenarioText } from './support.ts';

async function importFile(page: Page, name: string, content: unknown): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import scenario' }).click();
  await (
    await chooser
  ).setFiles({
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(content)),
  });
  await idle(page);
}

const SCENARIO_BASE = {
  format: 'pasidscope-scenario',
  version: 1,
  iommu: { rootTableAddr: '0x1000' },
  devices: [{ bdf: '00:02.0', backend: 'iommufd', maxPasidLog2: 20 }],
};

test('?preset=nosuchpreset in a fresh browser: a lasting error naming the preset', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto('./?preset=nosuchpreset');
  await idle(page);
  // The default preset opened instead...
  await expect(page.getByLabel('Preset', { exact: true })).toHaveValue('linux-boot');
  // ...and the reason is on screen, and stays there.
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('There is no preset called "nosuchpreset".');
  await expect(alert).toContainText('Choose one from the Preset menu');
  await expect(alert).toContainText('torn-down-entry');
  await expect(alert).toContainText('The preset "linux-boot" is shown instead.');
  await page.waitForTimeout(1500);
  await expect(alert).toBeVisible();
  // The address bar no longer carries the bad name (a reload opens the autosaved scenario).
  expect(new URL(page.url()).search).toBe('');

  for (const [width, height] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width, height });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: `test-results/shots/unknown-preset-${width}-${scheme}.png` });
    }
  }

  // Choosing a preset is the answer to it: the notice goes.
  await page.getByLabel('Preset', { exact: true }).selectOption('torn-down-entry');
  await idle(page);
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(errors).toEqual([]);
});

/** Imports a bad file over a preset; checks it was refused with the scenario kept; the alert. */
async function importRefused(page: Page, name: string, content: unknown): Promise<Locator> {
  await page.goto('./?preset=stale-did');
  await idle(page);
  const before = await scenarioText(page);
  await importFile(page, name, content);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(`Could not import "${name}"`);
  expect(await scenarioText(page)).toBe(before);
  return alert;
}

test('a refused import lists each problem once', async ({ page }) => {
  const alert = await importRefused(page, 'two-problems.json', {
    ...SCENARIO_BASE,
    devices: [{ bdf: 'zz', backend: 'iommufd' }],
    steps: [{ op: 'flush' }],
  });
  await expect(alert).toContainText('Your current scenario is unchanged. 2 problems:');
  await expect(alert.getByRole('listitem')).toHaveCount(2);
  const text = await alert.innerText();
  for (const problem of ['expected a BDF', 'unknown op "flush"']) {
    expect(text.split(problem), `"${problem}" once`).toHaveLength(2);
  }
  await page.screenshot({ path: 'test-results/shots/refused-import.png' });
});

test('a write that would wrap past 2^64 to address 0 is refused on import', async ({ page }) => {
  const alert = await importRefused(page, 'wrap.json', {
    ...SCENARIO_BASE,
    steps: [{ op: 'write', addr: '0xfffffffffffffff8', qwords: ['0x0', '0x0'] }],
  });
  await expect(alert.locator('code')).toHaveText('$.steps[0].qwords[1]');
  await expect(alert).toContainText('past the end of the 64-bit address space');
});
