// core.ts is the page's door into the model: it must not reach the scenario parser or zod, even
// through a module it re-exports. The walk below follows the static imports from a file; run from
// index.ts it must find zod (else the walk itself would be broken and prove nothing).

import { describe, expect, it } from 'vitest';
import * as core from './core.ts';
import * as full from './index.ts';

// The model's project has no Node types (the model runs anywhere); the test runner is Node.
interface NodeFs {
  readFileSync(path: string, encoding: 'utf8'): string;
}
const fsModule = 'node:fs';
const { readFileSync } = (await import(/* @vite-ignore */ fsModule)) as NodeFs;

const dirname = (path: string): string => path.slice(0, path.lastIndexOf('/'));
/** `base/rel` with `.` and `..` resolved (POSIX paths, as the test runner gives them). */
function join(base: string, rel: string): string {
  const parts = base.split('/');
  for (const part of rel.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/');
}

const modelDir = dirname(expect.getState().testPath ?? '');
const relative = (from: string, file: string): string => file.slice(from.length + 1);

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
        f === 'scenario/parseScenario.ts' ||
        f === 'scenario/scenarioSchema.ts' ||
        f === 'importers/importDebugfsDump.ts' ||
        f === 'importers/importQemuTraceLog.ts' ||
        f.startsWith('compare'),
    );
    expect(heavy).toEqual([]);
  });

  it('the same walk from index.ts does find zod and the parser', () => {
    const { files, packages } = importGraph('index.ts');
    expect([...packages]).toContain('zod');
    expect(files.has('scenario/parseScenario.ts')).toBe(true);
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
