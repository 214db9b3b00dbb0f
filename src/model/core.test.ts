import { describe, expect, it } from 'vitest';
import * as core from './core.ts';
import * as full from './index.ts';

describe('the lean public surface (core.ts)', () => {
  it('exports the same values as index.ts under the same names', () => {
    const names = Object.keys(core);
    expect(names.length).toBeGreaterThan(100);
    for (const name of names) {
      expect(full[name as keyof typeof full], name).toBe(core[name as keyof typeof core]);
    }
  });

  it('leaves out the scenario parser, the importers that need it and the comparison', () => {
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
