// core.ts is the page's door into the model: it must not reach the scenario parser or zod, even
// through a module it re-exports. The walk below follows the static imports from a file; run from
// index.ts it must find zod (else the walk itself would be broken and prove nothing).

import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as core from './core.ts';
import * as full from './index.ts';

const modelDir = dirname(fileURLToPath(import.meta.url));

/** Every file of ours (relative to src/model) and every package the file's static imports reach.
 * Type-only imports are left out: they vanish from the bundle. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    const rel = relative(modelDir, file);
    if (files.has(rel)) return;
    files.add(rel);
    const text = readFileSync(file, 'utf8');
    const specifiers = text.matchAll(
      /^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'([^']+)';/gms,
    );
    for (const [, spec = ''] of specifiers) {
      if (spec.startsWith('.')) visit(join(dirname(file), spec));
      else packages.add(spec);
    }
  };
  visit(join(modelDir, entry));
  return { files, packages };
}

describe('the lean public surface (core.ts)', () => {
  it('reaches neither zod nor the scenario parser, the importers or the comparison', () => {
    const { files, packages } = importGraph('core.ts');
    expect(files.size).toBeGreaterThan(20);
    expect([...packages]).not.toContain('zod');
    const heavy = [...files].filter(
      (f) =>
        f === join('scenario', 'parseScenario.ts') ||
        f === join('scenario', 'scenarioSchema.ts') ||
        f === join('importers', 'importDebugfsDump.ts') ||
        f === join('importers', 'importQemuTraceLog.ts') ||
        f.startsWith('compare'),
    );
    expect(heavy).toEqual([]);
  });

  it('the same walk from index.ts does find zod and the parser', () => {
    const { files, packages } = importGraph('index.ts');
    expect([...packages]).toContain('zod');
    expect(files.has(join('scenario', 'parseScenario.ts'))).toBe(true);
  });

  it('index.ts offers the parser, the importers and the comparison; core.ts does not', () => {
    for (const name of [
      'parseScenario',
      'parseScenarioText',
      'importDebugfsDump',
      'importQemuTraceLog',
      'compareVariants',
    ]) {
      expect(name in full, name).toBe(true);
      expect(name in core, name).toBe(false);
    }
  });
});
