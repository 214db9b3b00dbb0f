// The "Linux action" menu of the Steps tab: append a driver action's steps, see a refusal leave the
// scenario alone, undo, leave with Esc; no accessibility violations; screenshots.

import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { collectErrors, idle } from './support.ts';

async function openLinuxMenu(page: Page) {
  await page.goto('./?preset=linux-attach-teardown');
  await idle(page);
  await page.getByRole('tab', { name: /Steps/ }).click();
  const toggle = page.getByRole('button', { name: /Linux action/ });
  await toggle.click();
  const form = page.getByRole('form', { name: 'Linux action' });
  await expect(form).toBeVisible();
  return { toggle, form };
}

const stepItems = (page: Page) => page.getByRole('list', { name: 'Scenario steps' }).locator('li');

test('a Linux action appends labelled steps; a refusal changes nothing; undo; Esc', async ({
  page,
}) => {
  const errors = collectErrors(page);
  const { toggle, form } = await openLinuxMenu(page);
  const before = await stepItems(page).count();

  await form.getByLabel('Action').selectOption('setupPasid');
  await form.getByLabel('Set up as').selectOption('first-stage');
  await form.getByLabel('PASID').fill('3');
  await form.getByLabel('DID').fill('6');
  await form.getByLabel('Page table').fill('0x300000');
  await form.getByRole('button', { name: 'Add steps' }).click();
  await idle(page);
  await expect(form.getByRole('status')).toContainText('Added 5 steps');
  await expect(stepItems(page)).toHaveCount(before + 5);
  await expect(stepItems(page).nth(before)).toContainText('intel_pasid_setup_first_level');

  // The same PASID again: Linux returns -EBUSY; the scenario is unchanged.
  await form.getByRole('button', { name: 'Add steps' }).click();
  await expect(form.getByRole('alert')).toContainText('-EBUSY');
  await expect(stepItems(page)).toHaveCount(before + 5);

  // A typo names the input and focuses it.
  await form.getByLabel('DID').fill('six');
  await form.getByRole('button', { name: 'Add steps' }).click();
  await expect(form.getByRole('alert')).toContainText('DID:');
  await expect(form.getByLabel('DID')).toBeFocused();

  // Axe: the menu and its open form add no violations (the rest of the page is other specs' job).
  const axe = await new AxeBuilder({ page }).include('.linux-action').analyze();
  expect(
    axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);

  // Esc closes the form and returns focus to its button; Ctrl+Z undoes the whole action.
  await page.keyboard.press('Escape');
  await expect(form).toBeHidden();
  await expect(toggle).toBeFocused();
  await page.keyboard.press('Control+z');
  await idle(page);
  await expect(stepItems(page)).toHaveCount(before);
  expect(errors).toEqual([]);
});

test('screenshots of the Linux action menu', async ({ page }) => {
  for (const size of [
    { width: 1280, height: 720, tag: '1280' },
    { width: 1920, height: 1080, tag: '1920' },
  ]) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.emulateMedia({ colorScheme: scheme });
      await openLinuxMenu(page);
      await page.screenshot({
        path: `test-results/screens/linux-action-${size.tag}-${scheme}.png`,
      });
    }
  }
});
