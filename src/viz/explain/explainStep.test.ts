import { describe, expect, it } from 'vitest';
import { TraceKind } from '../../model/index.ts';
import {
  buildTrace,
  fixtureMemoryAt,
  fixtureScenario,
  fixtureTrace,
} from '../trace/traceFixture.ts';
import { buildTraceIndex } from '../trace/traceIndex.ts';
import { explainStep } from './explainStep.ts';

const scenario = fixtureScenario();
const trace = fixtureTrace();
const index = buildTraceIndex(trace);
const opts = { scenario, memoryAt: fixtureMemoryAt(scenario) };
const STEP2 = 17;
const STEP3 = 33;

describe('step explanations', () => {
  it('explains a DID mismatch with the sync’s VTDPASIDCacheInfo', () => {
    const x = explainStep(index, STEP3 + 13, opts);
    expect(x.sentence).toBe(
      'PASID 0x41: the directory entry for PASIDs 0x40–0x7f is present, the leaf entry is present, DID 3 ≠ 5 requested by the domain-selective invalidation → skipped.',
    );
    expect(x.where).toBe('vtd_sm_pasid_table_walk_one (hw/i386/intel_iommu_accel.c)');
    expect(x.position).toBe(`Step 4 of 4 · event ${String(STEP3 + 14)} of ${String(trace.length)}`);
  });

  it('explains a creation at the list head with the search cost', () => {
    const x = explainStep(index, 13, opts);
    expect(x.sentence).toContain('PASID 0x41');
    expect(x.sentence).toContain('DID 3 = 3 requested by the domain-selective invalidation');
    expect(x.sentence).toContain('compared 0 entries');
    expect(x.sentence).toContain('inserted at the list head');
    expect(x.details.join(' ')).toContain('attaches the PASID to its host HWPT');
  });

  it('names the changed fields of an update', () => {
    const x = explainStep(index, STEP2 + 13, opts);
    expect(x.sentence).toContain('found after 2 compares');
    expect(x.sentence).toContain('overwritten');
    expect(x.details.join(' ')).toContain('FSPTPTR 0x6000 → 0x7000');
  });

  it('explains coalesced runs by their size', () => {
    expect(explainStep(index, 10, opts).sentence).toBe(
      'PASIDs 0x1–0x3f (63): the directory entry for PASIDs 0x0–0x3f is present, the leaf entries are not present → skipped.',
    );
    const dirs = explainStep(index, 15, opts).sentence;
    expect(dirs).toContain('Directory entries 2–127');
    expect(dirs).toContain('126 chunks');
  });

  it('explains the range clamp with each limit', () => {
    const x = explainStep(index, 7, opts).sentence;
    expect(x).toContain('1 << max_pasid_log2 = 1,048,576');
    expect(x).toContain('2^(PDTS 0 + 7) × 64 = 8,192');
    expect(x).toContain('[0x0, 0x2000)');
  });

  it('quotes the scenario step’s note', () => {
    expect(explainStep(index, 16, opts).details).toContain('Scenario note: new first-stage table');
  });

  it('has a sentence for every event kind', () => {
    const kinds = Object.values(TraceKind);
    const t = buildTrace(
      [kinds.map((kind) => ({ kind, device: 0, pasid: 5, a: 1, b: 2, c: 3 }))],
      ['00:02.0'],
    );
    const idx = buildTraceIndex(t);
    const sentences = kinds.map((_, i) => explainStep(idx, i).sentence);
    for (const s of sentences) {
      expect(s.length).toBeGreaterThan(20);
      expect(s).not.toMatch(/undefined|NaN|\[object/);
    }
    expect(new Set(sentences).size).toBe(kinds.length);
  });
});
