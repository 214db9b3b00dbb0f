// Provenance of cache entries, on a Linux-action preset and on an entry whose words came from two
// different writes.

import { describe, expect, it } from 'vitest';
import attachTeardown from '../../../public/scenarios/linux-attach-teardown.json';
import { runScenario } from '../run/runScenario.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import type { Scenario } from '../scenario/scenarioTypes.ts';
import { entryProvenance } from './provenance.ts';

function load(file: unknown): Scenario {
  const r = parseScenario(file);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

const stepWith = (s: Scenario, text: string): number =>
  s.steps.findIndex((x) => (x.note ?? '').includes(text));

describe('cache entry provenance', () => {
  it('names the creating step, the write that produced the words, and the write that made it stale', () => {
    const s = load(attachTeardown);
    const r = runScenario(s);
    const entry = { cache: 'accel', bdf: '00:02.0', pasid: 5 } as const;
    const created = r.steps.findIndex((x) =>
      x.changes.some((c) => c.cache === 'accel' && c.pasid === 5 && c.kind === 'created'),
    );
    const setupWrite = stepWith(s, 'intel_pasid_setup_first_level: PASID entry 5');
    const clearP = stepWith(s, 'PASID entry 5 of 00:02.0: clear the present bit');
    expect(setupWrite).toBeLessThan(created);
    expect(clearP).toBeGreaterThan(created);

    const before = entryProvenance(s, r, entry, clearP - 1)!;
    expect(before).toMatchObject({ createdAt: created, updatedAt: created, staleSince: undefined });
    expect(before.writeSteps).toEqual([setupWrite]);
    expect(before.words[1]).toBe(3n);

    const after = entryProvenance(s, r, entry, s.steps.length - 1)!;
    expect(after.staleSince).toBe(clearP);
    expect(entryProvenance(s, r, entry, created - 1)).toBeUndefined();
  });

  it('goes field by field when different writes produced the words', () => {
    const s = load({
      format: 'pasidscope-scenario',
      version: 1,
      iommu: { rootTableAddr: '0x1000' },
      devices: [{ bdf: '00:02.0', backend: 'iommufd', maxPasidLog2: 20 }],
      tables: {
        devices: [
          {
            bdf: '00:02.0',
            pasids: [
              { pasid: 0, present: true, pgtt: 'pass-through', aw: 2, did: 1 },
              { pasid: 5, present: true, pgtt: 'first-stage', aw: 2, did: 3, fsptptr: '0x7000' },
            ],
          },
        ],
      },
      steps: [
        { op: 'writePasidEntry', bdf: '00:02.0', pasid: 5, fields: { did: 9 } },
        { op: 'invalidate', granularity: 'pasid', did: 9, pasid: 5 },
      ],
    });
    const r = runScenario(s);
    const p = entryProvenance(s, r, { cache: 'accel', bdf: '00:02.0', pasid: 5 }, 1)!;
    expect(p.createdAt).toBe(1);
    const origin = (f: string) => p.fieldOrigins.find((x) => x.field === f)?.origin;
    expect(origin('did')).toEqual({ kind: 'step', step: 0 });
    expect(origin('pgtt')).toEqual({ kind: 'initial' });
    expect(origin('fsptptr')).toEqual({ kind: 'initial' });
    expect(p.writeSteps).toEqual([0]);
  });
});
