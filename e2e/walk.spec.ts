// The walk view end to end: play a preset, step with the keyboard, read the explanation and the
// highlighted pseudo-code line at known events, open a link to a step, and take screenshots with
// motion off (deterministic pictures of each state).

import { expect, test, type Page } from '@playwright/test';
import { LeafOutcome, TraceKind } from '../src/model/index.ts';
import { collectErrors, idle } from './support.ts';

interface TraceView {
  readonly length: number;
  readonly kind: ArrayLike<number>;
  readonly a: ArrayLike<number>;
  readonly pasid: ArrayLike<number>;
}
declare const window: {
  pasidscope?: {
    store: { getState(): { run?: { result: { trace: TraceView } } } };
  };
  location: { hash: string };
};

/** The first event of this kind and outcome (and PASID, when given) in the page's run. */
async function findEvent(page: Page, kind: number, a: number, pasid = -1): Promise<number> {
  const at = await page.evaluate(
    ([k, o, p]) => {
      const t = window.pasidscope?.store.getState().run?.result.trace;
      if (!t) return -1;
      for (let i = 0; i < t.length; i++) {
        if (t.kind[i] === k && t.a[i] === o && (p < 0 || t.pasid[i] === p)) return i;
      }
      return -1;
    },
    [kind, a, pasid] as const,
  );
  expect(at, `event kind ${String(kind)} / ${String(a)}`).toBeGreaterThan(0);
  return at;
}

const timeline = (page: Page) => page.getByRole('slider', { name: 'Timeline' });
const explanation = (page: Page) => page.getByRole('region', { name: 'Step explanation' });
const currentLine = (page: Page) =>
  page.getByRole('region', { name: 'Pseudo-code' }).locator('[aria-current="step"]');

async function open(page: Page, query: string, hash = ''): Promise<void> {
  await page.goto(`/?${query}&motion=off${hash}`);
  await idle(page);
  await expect(timeline(page)).toBeVisible();
}

const MISMATCH =
  'PASID 0x5: the directory entry for PASIDs 0x0–0x3f is present, the leaf entry is present, DID 3 ≠ 4 requested by the PASID-selective invalidation → skipped.';

test('Play runs the timeline forward and Pause stops it', async ({ page }) => {
  const errors = collectErrors(page);
  await open(page, 'preset=did-mismatch');
  const slider = timeline(page);
  const max = Number(await slider.getAttribute('aria-valuemax'));
  expect(max).toBeGreaterThan(10);
  await page.keyboard.press('Home');
  await expect(slider).toHaveAttribute('aria-valuenow', '0');

  await page.getByRole('combobox', { name: 'Speed' }).selectOption('8');
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect
    .poll(async () => Number(await slider.getAttribute('aria-valuenow')))
    .toBeGreaterThan(3);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  const stopped = await slider.getAttribute('aria-valuenow');
  await page.waitForTimeout(400);
  await expect(slider).toHaveAttribute('aria-valuenow', stopped ?? '');

  // Space plays and pauses too; +/− change the speed.
  await page.keyboard.press('Minus');
  await expect(page.getByRole('combobox', { name: 'Speed' })).toHaveValue('4');
  await page.keyboard.press('Shift+Equal');
  await expect(page.getByRole('combobox', { name: 'Speed' })).toHaveValue('8');
  await page.locator('body').focus();
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('stepping with the keyboard explains the DID mismatch, and steps back exactly', async ({
  page,
}) => {
  await open(page, 'preset=did-mismatch');
  const target = await findEvent(page, TraceKind.LeafChecked, LeafOutcome.DidMismatch, 5);
  await page.keyboard.press('Home');
  for (let i = 0; i < target; i++) await page.keyboard.press('ArrowRight');
  await expect(timeline(page)).toHaveAttribute('aria-valuenow', String(target));
  await expect(explanation(page)).toContainText(MISMATCH);
  await expect(currentLine(page)).toContainText('DID(&pe) != pc_info->did');
  await expect(page.locator('[data-key="pasid:00:02.0:0x5"]')).toHaveAttribute(
    'data-state',
    'did-mismatch',
  );

  await page.keyboard.press('ArrowLeft');
  await expect(timeline(page)).toHaveAttribute('aria-valuenow', String(target - 1));
  await expect(explanation(page)).not.toContainText('DID 3 ≠ 4');
  await expect(currentLine(page)).not.toContainText('DID(&pe) != pc_info->did');
  await page.keyboard.press('ArrowRight');
  await expect(explanation(page)).toContainText(MISMATCH);

  // '.' jumps over runs of skips to the next thing that happens; End / Home bound the timeline.
  await page.keyboard.press('Period');
  const next = Number(await timeline(page).getAttribute('aria-valuenow'));
  expect(next).toBeGreaterThan(target);
  await page.keyboard.press('End');
  await expect(timeline(page)).toHaveAttribute(
    'aria-valuenow',
    (await timeline(page).getAttribute('aria-valuemax')) ?? '',
  );
  // The last step uses the right DID: PASID 5 is created at the head of the list.
  await expect(page.locator('[data-key="cache:00:02.0:0x5"]')).toBeVisible();
  await page.keyboard.press('Home');
  await expect(page.locator('[data-key="cache:00:02.0:0x5"]')).toHaveCount(0);
});

test('a link to a step opens the walk at that event (linux-boot: PASID 1 created)', async ({
  page,
}) => {
  await open(page, 'preset=linux-boot');
  const created = await findEvent(page, TraceKind.LeafChecked, LeafOutcome.Created, 1);

  await open(page, 'preset=linux-boot', `#step=${String(created)}`);
  await expect(timeline(page)).toHaveAttribute('aria-valuenow', String(created));
  await expect(explanation(page)).toContainText(
    'PASID 0x1: the directory entry for PASIDs 0x0–0x3f is present',
  );
  await expect(explanation(page)).toContainText('inserted at the list head');
  await expect(currentLine(page)).toContainText('QLIST_INSERT_HEAD');
  await expect(page.locator('[data-key="cache:00:02.0:0x1"]')).toHaveAttribute(
    'data-state',
    'created',
  );

  // Stepping records the new step in the URL, beside whatever else the fragment carries.
  await page.keyboard.press('ArrowLeft');
  await expect
    .poll(() => page.evaluate(() => window.location.hash))
    .toContain(`step=${String(created - 1)}`);
});

test('screenshots of the walk view, motion off, light and dark', async ({ page }) => {
  test.setTimeout(120_000);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await open(page, 'preset=did-mismatch');
    const mismatch = await findEvent(page, TraceKind.LeafChecked, LeafOutcome.DidMismatch, 5);
    await open(page, 'preset=did-mismatch', `#step=${String(mismatch)}`);
    await page.screenshot({ path: `test-results/walk/did-mismatch-compact-${scheme}.png` });
    await page.getByRole('button', { name: 'Full view' }).click();
    await expect(explanation(page)).toContainText(MISMATCH);
    await page.screenshot({ path: `test-results/walk/did-mismatch-full-${scheme}.png` });

    await open(page, 'preset=linux-boot');
    const created = await findEvent(page, TraceKind.LeafChecked, LeafOutcome.Created, 1);
    await open(page, 'preset=linux-boot', `#step=${String(created)}`);
    await page.getByRole('button', { name: 'Full view' }).click();
    await expect(currentLine(page)).toContainText('QLIST_INSERT_HEAD');
    await page.screenshot({ path: `test-results/walk/linux-boot-created-full-${scheme}.png` });
  }
});

test('Full view sets the other panels aside and gives them back as they were', async ({ page }) => {
  const errors = collectErrors(page);
  await open(page, 'preset=did-mismatch');
  const caches = page.getByRole('region', { name: 'Caches' });
  const did = page.getByRole('textbox', { name: 'Domain ID' });
  await expect(caches).toBeVisible();
  await did.fill('42');
  await timeline(page).focus();
  await page.keyboard.press('Home');
  await expect(caches).toContainText('at step 1 · event 1 of');
  await page.getByRole('button', { name: 'Full view' }).click();
  // Hidden, not only covered: nothing under the walk view is laid out or reachable.
  await expect(caches).toBeHidden();
  await expect(did).toBeHidden();
  await timeline(page).focus();
  await page.keyboard.press('End');
  await page.getByRole('button', { name: 'Exit full view' }).click();
  await expect(caches).toBeVisible();
  await expect(did).toHaveValue('42');
  // The panels follow the playhead that moved while they were set aside.
  await expect(caches).toContainText('end of the run');
  expect(errors).toEqual([]);
});
