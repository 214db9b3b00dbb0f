import { chromium } from '@playwright/test';
import LZString from 'lz-string';
const hex = (n) => `0x${BigInt(n).toString(16)}`;
const FS = ['0x41', '0x1', '0x300000', '0x0', '0x0', '0x0', '0x0', '0x0'];
const devices = Number(process.argv[2] ?? 8);
const port = process.argv[3] ?? '4178';
const devs = Array.from({ length: devices }, (_, i) => ({ bdf: `00:${(i + 1).toString(16).padStart(2, '0')}.0`, backend: 'iommufd', maxPasidLog2: 20 }));
const file = { format: 'pasidscope-scenario', version: 1, title: 'big', variant: 'series',
  iommu: { scalableMode: true, fsts: true, pasidBits: 20, awBits: 48, queueWidth: 256, rootTableAddr: '0x10000', rootScalable: true, dmarEnabled: true, guestRamBytes: '0x40000000' },
  devices: devs,
  memory: [ { addr: '0x10000', qwords: [hex(0x11001), '0x0'] }, ...devs.map((_, i) => ({ addr: hex(0x11000 + ((i + 1) << 3) * 32), qwords: [hex(0x100000 | (7 << 9) | 1), '0x0', '0x0', '0x0'] })),
    { addr: '0x100000', qwords: Array.from({ length: 16384 }, (_, d) => hex((0x1000000 + d * 4096) | 1)) }, ...Array.from({ length: 16384 }, (_, d) => ({ addr: hex(0x1000000 + d * 4096), qwords: FS })) ],
  steps: [{ op: 'invalidate', granularity: 'global' }] };
const hash = `#scenario=1.${LZString.compressToEncodedURIComponent(JSON.stringify(file))}`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
await page.addInitScript(() => { window.__lt = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: 'longtask', buffered: true }); });
await page.goto(`http://127.0.0.1:${port}/?motion=off`);
await page.waitForFunction(() => window.pasidscope !== undefined);
await page.evaluate(() => window.pasidscope.idle());
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
await cdp.send('Profiler.start');
const t0 = Date.now();
const before = await page.evaluate(() => window.__lt.length);
await page.evaluate(async (h) => { await window.pasidscope.store.getState().openShareFragment(h); }, hash);
await page.waitForFunction(() => { const s = window.pasidscope.store.getState(); return s.runStatus === 'done' && s.runOf === s.scenario; }, null, { timeout: 120000, polling: 100 });
await page.evaluate(() => window.pasidscope.idle());
console.log('loaded+run in', Date.now() - t0, 'ms; long tasks', JSON.stringify(await page.evaluate((b) => window.__lt.slice(b), before)));
const { profile } = await cdp.send('Profiler.stop');
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map(); profile.nodes.forEach((m) => (m.children || []).forEach((c) => parent.set(c, m.id)));
const self = new Map(); const total = new Map();
profile.samples.forEach((s, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const n = byId.get(s); const k = `${n.callFrame.functionName || '(anon)'}:${n.callFrame.lineNumber}`;
  self.set(k, (self.get(k) ?? 0) + dt);
  const seen = new Set(); let id = s;
  while (id) { const m = byId.get(id); const kk = `${m.callFrame.functionName || '(anon)'}:${m.callFrame.lineNumber}`; if (!seen.has(kk)) { total.set(kk, (total.get(kk) ?? 0) + dt); seen.add(kk); } id = parent.get(id); }
});
console.log('SELF'); [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 16).forEach(([k, t]) => console.log('  ' + (t / 1000).toFixed(0) + 'ms', k));
console.log('TOTAL'); [...total.entries()].sort((a, b) => b[1] - a[1]).slice(0, 60).forEach(([k, t]) => console.log('  ' + (t / 1000).toFixed(0) + 'ms', k));
await browser.close();
