// npm test's bundle check, run after `vite build`: the code the page loads at start (index.html's
// module script, what it preloads, and their static imports) must not carry zod. The page never
// parses scenario files itself (the worker does), so zod in the main bundle means a value import of
// the model's index.ts (or of zod) slipped into page code. As a control, the worker's chunk must
// carry zod: if it did not, the marker below would be wrong and this check would prove nothing.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const DIST = 'dist';
const ASSETS = join(DIST, 'assets');
// A name zod's runtime keeps through minification (its error class).
const ZOD_MARKER = 'ZodError';

function fail(message) {
  console.error(`check-bundle: ${message}`);
  process.exit(1);
}

if (!existsSync(join(DIST, 'index.html'))) fail('no dist/index.html: run `vite build` first.');
const html = readFileSync(join(DIST, 'index.html'), 'utf8');
const entries = [
  ...html.matchAll(/<script[^>]*type="module"[^>]*src="\.?\/?([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\.?\/?([^"]+)"/g),
].map((m) => join(DIST, m[1]));
if (entries.length === 0) fail('index.html names no module script.');

// Follow static imports (`import … from "./x.js"`, `import "./x.js"`), not dynamic `import()`.
const pageChunks = new Set();
const visit = (file) => {
  if (pageChunks.has(file)) return;
  pageChunks.add(file);
  const code = readFileSync(file, 'utf8');
  for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.\/[^"']+\.js)["']/g)) {
    visit(join(ASSETS, m[1].slice(2)));
  }
};
entries.forEach(visit);

const worker = readdirSync(ASSETS).find(
  (f) => f.startsWith('simulation.worker') && f.endsWith('.js'),
);
if (!worker) fail('no simulation worker chunk in dist/assets.');
if (!readFileSync(join(ASSETS, worker), 'utf8').includes(ZOD_MARKER)) {
  fail(
    `the worker chunk ${worker} has no "${ZOD_MARKER}": the zod marker is stale, fix this check.`,
  );
}

for (const file of pageChunks) {
  const code = readFileSync(file, 'utf8');
  if (code.includes(ZOD_MARKER)) {
    fail(
      `${file} (loaded by the page at start) carries zod: page code must import values from src/model/core.ts, not index.ts.`,
    );
  }
}
const kb = [...pageChunks].reduce((n, f) => n + readFileSync(f).length, 0) / 1000;
console.log(
  `check-bundle: ${pageChunks.size} start-up chunk(s), ${kb.toFixed(1)} kB, no zod; the worker carries it.`,
);
