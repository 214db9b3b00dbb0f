// Reads the JSON reports of Vitest and Playwright and prints one closing line that CI can read:
// "tests: N passed, N failed, N skipped". A missing report counts as one failure.
import { readFileSync } from 'node:fs';

function read(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;

const unit = read('reports/unit.json');
if (unit) {
  const u = {
    p: unit.numPassedTests ?? 0,
    f: unit.numFailedTests ?? 0,
    s: (unit.numPendingTests ?? 0) + (unit.numTodoTests ?? 0),
  };
  console.log(`unit (vitest): ${u.p} passed, ${u.f} failed, ${u.s} skipped`);
  passed += u.p;
  failed += u.f;
  skipped += u.s;
} else {
  console.log('unit (vitest): no report');
  failed += 1;
}

const e2e = read('reports/e2e.json');
if (e2e?.stats) {
  const s = e2e.stats;
  const e = { p: (s.expected ?? 0) + (s.flaky ?? 0), f: s.unexpected ?? 0, s: s.skipped ?? 0 };
  console.log(`e2e (playwright): ${e.p} passed, ${e.f} failed, ${e.s} skipped`);
  passed += e.p;
  failed += e.f;
  skipped += e.s;
} else {
  console.log('e2e (playwright): no report');
  failed += 1;
}

console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
