import { test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  PasidScopeMachine,
  memoryAtStep,
  runScenario,
  type CacheChange,
  type CacheState,
  type ChangeKind,
  type GuestMemory,
  type Scenario,
} from '../model/index.ts';
import { ScenarioBuilder } from '../model/testSupport/scenarioBuilder.ts';
import { churnScenario, randomScenario } from '../model/testSupport/randomScenario.ts';
import {
  cacheStateOf,
  positionOfPasid,
  positionsByPasid,
  wordsOfHalves,
} from '../shared/cacheColumns.ts';
import { lazyHostStates } from '../shared/hostWire.ts';
import { initialMemoryPages, memoryFromPages } from '../shared/memoryPages.ts';
import { CacheFlag, RUN_MAX_CHANGES_PER_STEP } from './protocol.ts';
import { focusStepOf, runForApp } from './simulationApi.ts';

/** Whether guest memory holds these words where the device's tables lead for this PASID, read
 * with plain bigint words (an independent version of the worker's stale check). */
function memoryHoldsEntry(
  mem: GuestMemory,
  scenario: Scenario,
  bdf: string,
  pasid: number,
  words: readonly bigint[],
): boolean {
  const dev = scenario.devices.find((d) => d.bdf === bdf);
  if (!dev) return false;
  const page = ~0xfffn;
  const root =
    (scenario.iommu.rootTableAddr & ((1n << BigInt(scenario.iommu.awBits)) - 1n) & page) +
    BigInt(dev.bus * 16) +
    (dev.devfn > 127 ? 8n : 0n);
  const half = mem.readQword(root);
  if ((half & 1n) === 0n) return false;
  const ctx = mem.readQword((half & page) + BigInt((dev.devfn & 0x7f) * 32));
  if ((ctx & 1n) === 0n) return false;
  const dir = mem.readQword((ctx & page) + BigInt(((pasid >> 6) & 0x3fff) * 8));
  if ((dir & 1n) === 0n) return false;
  const leaf = (dir & page) + BigInt((pasid & 63) * 64);
  return words.every((w, i) => mem.readQword(leaf + BigInt(i * 8)) === w);
}

/** The last change per (cache, bdf, PASID), and PASIDs in the order of their first change. */
function lastChanges(changes: readonly CacheChange[], bdf: string): Map<number, ChangeKind> {
  const m = new Map<number, ChangeKind>();
  for (const c of changes) if (c.cache === 'accel' && c.bdf === bdf) m.set(c.pasid, c.kind);
  return m;
}

function cachesBefore(scenario: Scenario, step: number): CacheState {
  const machine = new PasidScopeMachine(scenario);
  for (let i = 0; i < step; i++) machine.applyNext();
  return machine.caches();
}

function checkAgainstModel(scenario: Scenario): void {
  const focus = focusStepOf(scenario);
  const wire = runForApp(scenario, focus);
  const model = runScenario(scenario);

  // The whole caches, rebuilt from the columns (host state unpacked as the page does), are the
  // model's.
  expect(cacheStateOf({ ...wire.caches, host: lazyHostStates(wire.caches.host) })).toEqual(
    model.final,
  );

  // Each step lists its first changes and counts the rest.
  model.steps.forEach((s, i) => {
    const got = wire.result.steps[i];
    expect(got?.changes).toEqual(s.changes.slice(0, RUN_MAX_CHANGES_PER_STEP));
    const omitted = s.changes.length - RUN_MAX_CHANGES_PER_STEP;
    expect(got?.changesOmitted).toBe(omitted > 0 ? omitted : undefined);
  });

  // The highlighted step's changes, all of them: counts, flags, removed rows, old entries.
  const changes = focus >= 0 ? (model.steps[focus]?.changes ?? []) : [];
  for (const cache of ['accel', 'emulated'] as const) {
    for (const kind of ['created', 'updated', 'removed'] as const) {
      expect(wire.focus.counts[cache][kind]).toBe(
        changes.filter((c) => c.cache === cache && c.kind === kind).length,
      );
    }
  }
  expect(wire.focus.emulated).toEqual(changes.filter((c) => c.cache === 'emulated'));
  const before = focus >= 0 ? cachesBefore(scenario, focus) : model.final;
  const mem = memoryAtStep(scenario, scenario.steps.length);
  for (const [bdf, cols] of Object.entries(wire.caches.accel)) {
    const last = lastChanges(changes, bdf);
    const beforeBy = new Map((before.accel[bdf] ?? []).map((e) => [e.pasid, e.entry]));
    let stale = 0;
    for (let i = 0; i < cols.length; i++) {
      const pasid = cols.pasid[i] ?? 0;
      const flags = cols.flags[i] ?? 0;
      const kind = last.get(pasid);
      expect(
        flags & CacheFlag.Created ? 'created' : flags & CacheFlag.Updated ? 'updated' : undefined,
      ).toBe(kind === 'removed' ? undefined : kind);
      const words = wordsOfHalves(cols.halves, 16 * i);
      const isStale = !memoryHoldsEntry(mem, scenario, bdf, pasid, words);
      expect((flags & CacheFlag.Stale) !== 0, `stale ${bdf}/${pasid}`).toBe(isStale);
      if (isStale) stale++;
      expect(positionOfPasid(cols, pasid)).toBe(i);
    }
    expect(cols.staleCount).toBe(stale);
    const live = new Set(cols.pasid);
    expect([...cols.removed]).toEqual(
      [...last].filter(([p, k]) => k === 'removed' && !live.has(p)).map(([p]) => p),
    );
    // Old words for every entry the step updated or removed that existed before it.
    const touched = [...last]
      .filter(([p, k]) => k !== 'created' && beforeBy.has(p))
      .map(([p]) => p)
      .sort((a, b) => a - b);
    expect([...cols.before.pasid]).toEqual(touched);
    touched.forEach((p, j) => {
      expect(wordsOfHalves(cols.before.halves, 16 * j)).toEqual(beforeBy.get(p));
    });
  }
}

describe('the run as the page receives it (cache columns)', () => {
  propTest.prop([randomScenario], { numRuns: 60 })(
    'agrees with the model on random scenarios',
    (scenario) => checkAgainstModel(scenario),
  );

  propTest.prop([churnScenario], { numRuns: 60 })(
    'agrees with the model when entries keep being created and removed',
    (scenario) => checkAgainstModel(scenario),
  );

  it('lists 32 changes of a large step, counts all of them and flags every new entry', () => {
    const b = new ScenarioBuilder().device('00:02.0');
    for (let p = 1; p < 200; p++) b.setPasidEntry('00:02.0', p, b.defaultEntry(1));
    const scenario = b.global().build();
    const wire = runForApp(scenario, 0);
    expect(wire.result.steps[0]?.changes).toHaveLength(RUN_MAX_CHANGES_PER_STEP);
    // 200 accel entries created, and the emulated PASID-0 address space synced.
    expect(wire.focus.counts.accel.created).toBe(200);
    expect(wire.focus.total).toBe(200 + wire.focus.emulated.length);
    expect(wire.result.steps[0]?.changesOmitted).toBe(wire.focus.total - RUN_MAX_CHANGES_PER_STEP);
    const cols = wire.caches.accel['00:02.0'];
    expect(cols?.length).toBe(200);
    expect([...(cols?.flags ?? [])].every((f) => f === CacheFlag.Created)).toBe(true);
    expect(cols?.staleCount).toBe(0);
    checkAgainstModel(scenario);
  });

  it('orders positions by PASID', () => {
    const pasid = Uint32Array.from([9, 1, 1048575, 0, 64]);
    const order = positionsByPasid(pasid);
    expect([...order].map((i) => pasid[i])).toEqual([0, 1, 9, 64, 1048575]);
    expect(positionOfPasid({ pasid, byPasid: order }, 64)).toBe(4);
    expect(positionOfPasid({ pasid, byPasid: order }, 65)).toBe(-1);
  });
});

describe('initial memory handed over as pages', () => {
  it('holds the same words as memory built from the blocks, for large scenarios only', () => {
    const b = new ScenarioBuilder().device('00:02.0');
    for (let p = 0; p < 12000; p++) b.setPasidEntry('00:02.0', p, { did: 1 + (p % 7), pgtt: 1 });
    const scenario = b.build();
    const pages = initialMemoryPages(scenario);
    expect(pages).toBeDefined();
    if (!pages) return;
    const mem = memoryFromPages(pages);
    expect(mem.toBlocks()).toEqual(memoryAtStep(scenario, 0).toBlocks());
    expect(initialMemoryPages(new ScenarioBuilder().device('00:02.0').build())).toBeUndefined();
  });
});
