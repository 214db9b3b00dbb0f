import { chromium } from '@playwright/test';
import LZString from 'lz-string';
const hex = (n) => `0x${BigInt(n).toString(16)}`;
const FS = ['0x41', '0x1', '0x300000', '0x0', '0x0', '0x0', '0x0', '0x0'];
const devices = Number(process.argv[2] ?? 1);
const slots = (process.argv[3] ?? '0,10,20,30,40,50').split(',').map(Number);
const ndir = Number(process.argv[4] ?? 16384);
const separate = process.argv[5] === 'sep';
const devs = Array.from({ length: devices }, (_, i) => ({ bdf: `00:${(i + 1).toString(16).padStart(2, '0')}.0`, backend: 'iommufd', maxPasidLog2: 20 }));
const file = { format: 'pasidscope-scenario', version: 1, title: 'big', variant: 'series',
  iommu: { scalableMode: true, fsts: true, pasidBits: 20, awBits: 48, queueWidth: 256, rootTableAddr: '0x10000', rootScalable: true, dmarEnabled: true, guestRamBytes: '0x40000000' },
  devices: devs,
  memory: [ { addr: '0x10000', qwords: [hex(0x11001), '0x0'] }, ...devs.map((_, i) => ({ addr: hex(0x11000 + ((i + 1) << 3) * 32), qwords: [hex(0x100000 | (7 << 9) | 1), '0x0', '0x0', '0x0'] })),
    { addr: '0x100000', qwords: Array.from({length: ndir}, (_, d) => hex((separate ? 0x1000000 + d * 4096 : 0x200000) + 1)) }, ...(separate ? Array.from({length: ndir}, (_, d) => ({ addr: hex(0x1000000 + d * 4096), qwords: FS })) : slots.map((s) => ({ addr: hex(0x200000 + s * 64), qwords: FS }))) ],
  steps: [{ op: 'invalidate', granularity: 'global' }] };
const hash = `#scenario=1.${LZString.compressToEncodedURIComponent(JSON.stringify(file))}`;
console.log('hash length', hash.length);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
page.on('console', (m) => console.log('console:', m.type(), m.text().slice(0, 300)));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
page.on('crash', () => console.log('CRASH'));
const t0 = Date.now();
await page.goto(`http://127.0.0.1:4178/?motion=off${hash}`);
await page.waitForFunction(() => window.pasidscope !== undefined);
console.log('loaded', Date.now() - t0);
await page.waitForFunction(() => { const s = window.pasidscope.store.getState(); return s.runStatus !== 'running' && s.run && s.runOf === s.scenario; }, null, { timeout: 120000, polling: 200 });
console.log('run done', Date.now() - t0, await page.evaluate(() => { const s = window.pasidscope.store.getState(); return [s.runStatus, s.run?.result.trace.length, s.run?.ms]; }));
await page.evaluate(() => window.pasidscope.idle());
console.log('idle', Date.now() - t0);
await page.getByRole('button', { name: 'Full view' }).click();
await page.screenshot({ path: '/tmp/big.png' });
await browser.close();
