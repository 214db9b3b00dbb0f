// Large scenario memory crosses the worker seam packed; everything else crosses as it is.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MemoryBlock, Scenario } from '../model/core.ts';
import {
  PACK_MEMORY_MIN_WORDS,
  isWireScenario,
  mapScenarioField,
  packMemory,
  scenarioFromWire,
  scenarioFromWirePieces,
  scenarioToWire,
  unpackMemory,
} from './memoryWire.ts';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const blocksArb = fc.array(fc.record({ addr: u64, qwords: fc.array(u64, { maxLength: 9 }) }), {
  maxLength: 40,
});

function scenarioWith(memory: MemoryBlock[]): Scenario {
  return { title: 't', memory } as unknown as Scenario;
}

function bigMemory(words: number): MemoryBlock[] {
  return Array.from({ length: words / 8 }, (_, i) => ({
    addr: BigInt(0x100000 + i * 64),
    qwords: Array.from({ length: 8 }, (_, k) => BigInt(i * 8 + k) | (1n << 63n)),
  }));
}

describe('memory on the wire', () => {
  it('unpacks to the same blocks it packed (any addresses, any words, empty blocks too)', () => {
    fc.assert(
      fc.property(blocksArb, (blocks) => {
        expect(unpackMemory(packMemory(blocks))).toEqual(blocks);
      }),
    );
  });

  it('packs a large scenario, leaves a small one as it is, and restores it exactly', () => {
    const small = scenarioWith(bigMemory(8));
    expect(scenarioToWire(small)).toBe(small);
    const large = scenarioWith(bigMemory(PACK_MEMORY_MIN_WORDS));
    const wire = scenarioToWire(large);
    expect(isWireScenario(wire)).toBe(true);
    expect(wire.memory).toEqual([]);
    expect(scenarioFromWire(wire)).toEqual(large);
  });

  it('unpacks in pieces into the scenario it returns', () => {
    const large = scenarioWith(bigMemory(PACK_MEMORY_MIN_WORDS * 4));
    const wire = scenarioToWire(large);
    if (!isWireScenario(wire)) throw new Error('not packed');
    const { scenario, pieces } = scenarioFromWirePieces(wire);
    let count = 0;
    for (const _ of pieces) count++;
    expect(count).toBeGreaterThan(1);
    expect(scenario).toEqual(large);
  });

  it('remembers the packed form of the blocks it unpacked (the next send packs nothing)', () => {
    const packed = packMemory(bigMemory(64));
    const blocks = unpackMemory(packed);
    expect(packMemory(blocks)).toBe(packed);
  });

  it('converts a request argument and an answer value, and nothing else', () => {
    const s = scenarioWith(bigMemory(16));
    const mark = (x: Scenario): Scenario => ({ ...x, title: 'converted' });
    expect(mapScenarioField({ scenario: s }, mark).scenario.title).toBe('converted');
    const answer = { ok: true as const, value: { scenario: s, warnings: [] } };
    expect(mapScenarioField(answer, mark).value.scenario.title).toBe('converted');
    const failure = { ok: false as const, error: { kind: 'x', message: 'm' } };
    expect(mapScenarioField(failure, mark)).toBe(failure);
    expect(mapScenarioField('text', mark)).toBe('text');
    expect(mapScenarioField({ base: s }, mark)).toEqual({ base: s });
  });
});
