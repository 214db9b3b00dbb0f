import { chromium } from '@playwright/test';
const [url, out, mode, seek, scheme] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, colorScheme: scheme === 'dark' ? 'dark' : 'light' });
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('console:', m.type(), m.text()); });
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto(url);
await page.waitForFunction(() => window.pasidscope !== undefined);
await page.evaluate(() => window.pasidscope.idle());
if (mode === 'full') await page.getByRole('button', { name: 'Full view' }).click();
if (seek) {
  if (/^\d+$/.test(seek)) await page.evaluate((n) => window.pasidscope.store.getState().seekTo(n), Number(seek));
  else for (const k of seek.split(',')) await page.keyboard.press(k);
}
await page.evaluate(() => window.pasidscope.idle());
await page.waitForTimeout(200);
await page.screenshot({ path: out });
const ex = await page.getByRole('region', { name: 'Step explanation' }).innerText().catch(e => String(e));
console.log(ex.split('\n').slice(2).join(' | '));
console.log('code:', await page.locator('[aria-current="step"]').innerText().catch(() => '-'));
await browser.close();
