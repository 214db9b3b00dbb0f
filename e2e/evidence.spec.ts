// Evidence in and out, in Chromium: the guest kernel's qi_submit trace pasted and appended, the
// run copied as text for a mail and pasted back, a Perfetto trace saved, Save picture (SVG and
// PNG of the walk view at its on-screen size), and the static build served under a sub-path.

import { expect, test, type Page } from '@playwright/test';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { collectErrors, idle, scenarioText } from './support.ts';

const TRACE = 'src/model/importers/__fixtures__/realguest-sm-strict.qi_submit.trace';

function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() =>
    (
      globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
    ).navigator.clipboard.readText(),
  );
}

async function downloadText(page: Page, click: () => Promise<void>): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFile(await download.path(), 'utf8');
}

test('a kernel qi_submit trace is detected, appended to the scenario, and says what it lacks', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.goto('./?preset=realguest-sm-strict-final');
  await idle(page);
  const before = (JSON.parse(await scenarioText(page)) as { steps: unknown[] }).steps.length;
  const trace = await readFile(TRACE, 'utf8');
  const dmar0 = trace.split('\n').filter((l) => l.includes(' dmar0: ')).length;
  await page.getByRole('button', { name: 'Paste text to import' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import' });
  await dialog.getByLabel('Text to import', { exact: true }).fill(trace);
  await expect(dialog.getByLabel('Read as')).toContainText('Detected: Linux trace');
  const preview = dialog.getByRole('region', { name: 'Import preview' });
  await expect(preview).toContainText(`${dmar0} qi_submit descriptors of dmar0`);
  await expect(preview).toContainText('does not trace it: none was added');
  await expect(preview).toContainText('dmar1 (3 descriptors)');
  await dialog.getByLabel('IOMMU unit').selectOption('dmar1');
  await expect(preview).toContainText('3 qi_submit descriptors of dmar1');
  await dialog.getByLabel('IOMMU unit').selectOption('');
  await expect(preview).toContainText(`${dmar0} qi_submit descriptors of dmar0`);
  await dialog.getByRole('button', { name: 'Append to scenario' }).click();
  await idle(page);
  const after = (JSON.parse(await scenarioText(page)) as { steps: unknown[] }).steps.length;
  expect(after - before).toBe(dmar0);
  expect(errors).toEqual([]);
});

test('Copy as text gives a mail-ready report whose scenario block pastes back; Perfetto saves', async ({
  page,
}) => {
  const errors = collectErrors(page);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('./?preset=torn-down-entry');
  await idle(page);
  const original = await scenarioText(page);
  await page.getByText('Export', { exact: true }).click();
  await page.getByRole('button', { name: 'Copy as text' }).click();
  const text = await readClipboard(page);
  expect(text).toMatch(/^PASIDscope report: Torn-down PASID/);
  for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(72);
  expect(text).not.toMatch(/127\.0\.0\.1|localhost/);

  await page.getByText('Export', { exact: true }).click();
  const perfetto = JSON.parse(
    await downloadText(page, () =>
      page.getByRole('button', { name: 'Save Perfetto trace' }).click(),
    ),
  ) as { traceEvents: { ph: string }[] };
  expect(perfetto.traceEvents.some((e) => e.ph === 'X')).toBe(true);

  // Another scenario, then the report pasted back (quoted, as in a reply) restores this one.
  await page.goto('./?preset=linux-boot');
  await idle(page);
  await page.getByRole('button', { name: 'Paste text to import' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import' });
  const quoted = text
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');
  await dialog.getByLabel('Text to import', { exact: true }).fill(quoted);
  await expect(dialog.getByLabel('Read as')).toContainText('Detected: scenario file');
  await dialog.getByRole('button', { name: 'Load scenario' }).click();
  await idle(page);
  expect(JSON.parse(await scenarioText(page))).toEqual(JSON.parse(original));
  expect(errors).toEqual([]);
});

test('Save picture: a well-formed SVG with the named parts, and a PNG of the on-screen size', async ({
  page,
}) => {
  await page.goto('./?preset=linux-boot');
  await idle(page);
  const svg = page.locator('svg.walk-svg');
  const box = await svg.boundingBox();
  if (!box) throw new Error('no walk view');
  const downloads: { name: string; path: string }[] = [];
  page.on('download', (d) => {
    void d.path().then((p) => downloads.push({ name: d.suggestedFilename(), path: p }));
  });
  await page.getByRole('button', { name: 'Save picture' }).click();
  await expect.poll(() => downloads.length).toBe(2);
  const svgFile = downloads.find((d) => d.name.endsWith('.svg'));
  const pngFile = downloads.find((d) => d.name.endsWith('.png'));
  expect(svgFile?.name).toMatch(/-step-\d+\.svg$/);
  const svgText = await readFile(svgFile?.path ?? '', 'utf8');
  const parsed = await page.evaluate((t) => {
    interface El {
      getAttribute(name: string): string | null;
    }
    interface Doc {
      getElementsByTagName(name: string): { length: number };
      querySelectorAll(selector: string): ArrayLike<El>;
    }
    const g = globalThis as unknown as {
      DOMParser: new () => { parseFromString(text: string, type: string): Doc };
    };
    const doc = new g.DOMParser().parseFromString(t, 'image/svg+xml');
    return {
      errors: doc.getElementsByTagName('parsererror').length,
      named: Array.from(doc.querySelectorAll('[aria-label]')).map((x) =>
        x.getAttribute('aria-label'),
      ),
      styled: doc.querySelectorAll('[style*="fill"]').length,
      text: (doc as unknown as { documentElement: { textContent: string } }).documentElement
        .textContent,
      classes: doc.querySelectorAll('[class]').length,
    };
  }, svgText);
  expect(parsed.errors).toBe(0);
  // Every named part on screen (the view, its groups) is named in the file too.
  const onScreen = await svg.evaluate((el) => {
    interface Named {
      getAttribute(name: string): string | null;
      querySelectorAll(selector: string): ArrayLike<Named>;
    }
    const root = el as unknown as Named;
    return [root, ...Array.from(root.querySelectorAll('[aria-label]'))].map((x) =>
      x.getAttribute('aria-label'),
    );
  });
  expect(parsed.named).toEqual(onScreen);
  expect(parsed.named[0]).toMatch(/PASID directory/);
  expect(parsed.text).toBe(
    await svg.evaluate((el) => (el as unknown as { textContent: string }).textContent),
  );
  expect(parsed.styled).toBeGreaterThan(0);
  expect(parsed.classes).toBe(0);
  const png = await readFile(pngFile?.path ?? '');
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.readUInt32BE(16)).toBe(Math.round(box.width));
  expect(png.readUInt32BE(20)).toBe(Math.round(box.height));
});

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

test('the static build works under any base path', async ({ page }) => {
  const errors = collectErrors(page);
  const base = '/reviews/pasidscope/';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith(base)) {
      res.writeHead(404).end();
      return;
    }
    const rel = normalize(url.pathname.slice(base.length) || 'index.html').replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join('dist', rel);
    void stat(file)
      .then((s) => {
        if (!s.isFile()) throw new Error('not a file');
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        createReadStream(file).pipe(res);
      })
      .catch(() => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    await page.goto(`http://127.0.0.1:${port}${base}?preset=torn-down-entry`);
    await idle(page);
    await expect(page.locator('svg.walk-svg')).toBeVisible();
    await expect(page.locator('#preset-select option')).not.toHaveCount(1);
    expect(errors).toEqual([]);
  } finally {
    server.close();
  }
});

test('screenshots: the header with the evidence buttons, light and dark', async ({ page }) => {
  for (const [w, h] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto('./?preset=torn-down-entry');
      await idle(page);
      await page.screenshot({ path: `test-results/evidence-${w}x${h}-${scheme}.png` });
    }
  }
});

test('the Export menu opens over the page, in light and dark', async ({ page }) => {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('./?preset=torn-down-entry');
    await idle(page);
    await page.getByText('Export', { exact: true }).click();
    await expect(page.getByRole('button', { name: 'Save Perfetto trace' })).toBeVisible();
    await page.screenshot({ path: `test-results/evidence-export-menu-${scheme}.png` });
  }
});
