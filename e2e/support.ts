// Shared helpers for the app's end-to-end specs.

import type { Page } from '@playwright/test';

// The page's test hook (see src/main.tsx). Declared here because e2e code compiles without DOM types.
declare const window: {
  pasidscope?: { idle(): Promise<void>; scenarioText(): string };
  location: { href: string };
};
declare const document: { documentElement: { scrollWidth: number } };
declare const innerWidth: number;

/** Waits until no engine request, load or animation is pending. */
export async function idle(page: Page): Promise<void> {
  await page.waitForFunction(() => window.pasidscope !== undefined);
  await page.evaluate(() => window.pasidscope?.idle());
}

/** The scenario on the page, as file text. */
export function scenarioText(page: Page): Promise<string> {
  return page.evaluate(() => window.pasidscope?.scenarioText() ?? '');
}

export function pageWidths(page: Page): Promise<{ scroll: number; inner: number }> {
  return page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
}

/** Collects page errors and console errors for a final "no errors" check. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}
