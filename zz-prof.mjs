import { chromium } from '@playwright/test';
import LZString from 'lz-string';
import { writeFileSync } from 'node:fs';
const hex = (n) => `0x${BigInt(n).toString(16)}`;
const FS = ['0x41', '0x1', '0x300000', '0x0', '0x0', '0x0', '0x0', '0x0'];
const ndir = Number(process.argv[2] ?? 2048);
const port = process.argv[3] ?? '4177';
const file = { format: 'pasidscope-scenario', version: 1, title: 'big', variant: 'series',
  iommu: { scalableMode: true, fsts: true, pasidBits: 20, awBits: 48, queueWidth: 256, rootTableAddr: '0x10000', rootScalable: true, dmarEnabled: true, guestRamBytes: '0x40000000' },
  devices: [{ bdf: '00:01.0', backend: 'iommufd', maxPasidLog2: 20 }],
  memory: [ { addr: '0x10000', qwords: [hex(0x11001), '0x0'] }, { addr: hex(0x11000 + 8 * 32), qwords: [hex(0x100000 | (7 << 9) | 1), '0x0', '0x0', '0x0'] },
    { addr: '0x100000', qwords: new Array(ndir).fill(hex(0x200001)) }, { addr: '0x200000', qwords: FS } ],
  steps: [{ op: 'invalidate', granularity: 'global' }] };
const hash = `#scenario=1.${LZString.compressToEncodedURIComponent(JSON.stringify(file))}`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
await page.goto(`http://127.0.0.1:${port}/?motion=off`);
await page.waitForFunction(() => window.pasidscope !== undefined);
await page.evaluate(() => window.pasidscope.idle());
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
const t0 = Date.now();
await page.evaluate(async (h) => { await window.pasidscope.store.getState().openShareFragment(h); }, hash);
await page.waitForFunction(() => { const s = window.pasidscope.store.getState(); return s.runStatus === 'done' && s.runOf === s.scenario; }, null, { timeout: 120000, polling: 100 });
await page.evaluate(() => window.pasidscope.idle());
console.log('loaded+run in', Date.now() - t0, 'ms');
const { profile } = await cdp.send('Profiler.stop');
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
profile.samples.forEach((s, i) => { const n = byId.get(s); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0)); });
[...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).forEach(([k, t]) => console.log((t / 1000).toFixed(0) + 'ms', k));
writeFileSync('/tmp/app.cpuprofile', JSON.stringify(profile));
await browser.close();
