// Every bundled preset: it loads cleanly, its run matches the committed golden output
// (__golden__/NAME.json), the CLI prints the same JSON, and it shows the behaviour it exists to
// show. The behaviour checks are reasoned from semantics.md and vtd-reference.md, not copied
// from the output.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CacheChange, RunResult, Scenario, StepResult, Variant } from '../model/index.ts';
import {
  DescType,
  contextEntryAddress,
  decodeContextCacheDescriptor,
  decodeContextEntry,
  decodePasidDirEntry,
  decodePasidEntry,
  decodeRootEntry,
  descriptorTypeCode,
  memoryAtStep,
  parseScenarioText,
  pasidDirEntryAddress,
  pasidEntryAddress,
  rootEntryAddress,
  runScenario,
  toContractJson,
  vtdCapInit,
} from '../model/index.ts';
import type { CliIo } from './main.ts';
import { main } from './main.ts';
import { PRESETS_DIR, loadPresetIndex } from './presets.ts';

interface Loaded {
  readonly scenario: Scenario;
  readonly warnings: readonly string[];
}

const cache = new Map<string, Loaded>();
function load(name: string): Loaded {
  const hit = cache.get(name);
  if (hit) return hit;
  const r = parseScenarioText(readFileSync(`${PRESETS_DIR}${name}.json`, 'utf8'));
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.errors)}`);
  const loaded = { scenario: r.scenario, warnings: r.warnings };
  cache.set(name, loaded);
  return loaded;
}

const runs = new Map<string, RunResult>();
function run(name: string, variant?: Variant): RunResult {
  const key = `${name}/${variant ?? ''}`;
  const hit = runs.get(key);
  if (hit) return hit;
  const result = runScenario(load(name).scenario, variant ? { variant } : {});
  runs.set(key, result);
  return result;
}

const presetFiles = readdirSync(PRESETS_DIR)
  .filter((f) => f.endsWith('.json') && f !== 'index.json')
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

// ---- helpers over a run ------------------------------------------------------------------------

function steps(r: RunResult, pred: (s: StepResult, i: number) => boolean): StepResult[] {
  return r.steps.filter(pred);
}

function only<T>(xs: readonly T[], what: string): T {
  expect(xs, what).toHaveLength(1);
  return xs[0]!;
}

/** The processed PASID-cache step with this pcInfo (type 0 DSI, 1 PASID-SI, 3 global). */
function pcSteps(r: RunResult, type: 0 | 1 | 3, did?: number, pasid?: number): StepResult[] {
  return steps(
    r,
    (s) =>
      s.pcInfo !== undefined &&
      s.pcInfo.type === type &&
      (did === undefined || s.pcInfo.did === did) &&
      (pasid === undefined || s.pcInfo.pasid === pasid),
  );
}

function change(
  cache: CacheChange['cache'],
  bdf: string,
  pasid: number,
  kind: CacheChange['kind'],
): CacheChange {
  return { cache, bdf, pasid, kind };
}

function accelPasids(r: RunResult, bdf: string): number[] {
  const list = r.final.accel[bdf];
  if (!list) throw new Error(`${bdf} has no accel list`);
  return list.map((e) => e.pasid);
}

function accelEntry(r: RunResult, bdf: string, pasid: number) {
  const e = r.final.accel[bdf]?.find((x) => x.pasid === pasid);
  if (!e) throw new Error(`${bdf} has no accel entry for PASID ${pasid}`);
  return decodePasidEntry(e.entry);
}

function emulated(r: RunResult, bdf: string, pasid: number) {
  const e = r.final.emulated[bdf]?.[String(pasid)];
  if (!e) throw new Error(`${bdf} has no address space for PASID ${pasid}`);
  return e;
}

function allChanges(r: RunResult): CacheChange[] {
  return r.steps.flatMap((s) => s.changes);
}

/** The PASID entry as guest memory holds it before step k (model decoders, root to leaf). */
function memoryEntry(s: Scenario, k: number, bus: number, devfn: number, pasid: number) {
  const mem = memoryAtStep(s, k);
  const read = (addr: bigint, n: number): bigint[] =>
    Array.from({ length: n }, (_, i) => mem.readQword(addr + BigInt(8 * i)));
  const root = decodeRootEntry(read(rootEntryAddress(vtdCapInit(s.iommu).rootTable, bus), 2));
  const ctx = decodeContextEntry(
    read(
      contextEntryAddress(devfn >= 128 ? root.upperContextTable : root.lowerContextTable, devfn),
      4,
    ),
  );
  const dir = decodePasidDirEntry(read(pasidDirEntryAddress(ctx.pasidDirPtr, pasid), 1));
  return decodePasidEntry(read(pasidEntryAddress(dir.pasidTablePtr, pasid), 8));
}

/** Scenario steps that are context-cache descriptors of a granularity (3 = device-selective). */
function ccStepIndices(s: Scenario, granularity: number): number[] {
  const out: number[] = [];
  s.steps.forEach((st, i) => {
    if (st.op !== 'invalidate' || descriptorTypeCode(st.desc[0] ?? 0n) !== DescType.ContextCache)
      return;
    if (decodeContextCacheDescriptor(st.desc).granularity === granularity) out.push(i);
  });
  return out;
}

const ZERO_WALK = { dirReads: 0, entryReads: 0, listCompares: 0 };

// ---- what each preset exists to show ------------------------------------------------------------

/** A step's host calls as "op pasid id" lines ("attach 5 2", "detach 5 FAILED"). */
function hostCalls(r: RunResult, step: number): string[] {
  return (r.steps[step]?.hostOps ?? []).map((o) => {
    const id = 'hwpt' in o ? ` ${o.hwpt}` : 'id' in o ? ` ${o.id}` : '';
    return `${o.op} ${o.pasid}${id}${o.ok ? '' : ' FAILED'}`;
  });
}

const hostBehaviours: Readonly<Record<string, () => void>> = {
  'host-attach-replace': () => {
    const r = run('host-attach-replace');
    expect(hostCalls(r, 0)).toEqual(['alloc 5 2', 'attach 5 2']);
    expect(hostCalls(r, 1)).toEqual([]);
    expect(hostCalls(r, 3)).toEqual(['alloc 5 3', 'attach 5 3', 'free 5 2']);
    expect(hostCalls(r, 5)).toEqual(['attach 5 1', 'free 5 3']);
    expect(r.final.host?.['00:02.0']).toEqual({ attached: { '0': 1, '5': 1 }, objects: [] });
    expect(run('host-attach-replace', 'seed').steps.every((st) => !st.hostOps?.length)).toBe(true);
  },
  'host-removal-detach': () => {
    const r = run('host-removal-detach');
    expect(hostCalls(r, 2)).toEqual(['detach 7', 'free 7 2']);
    expect(r.final.host?.['00:02.0']).toEqual({ attached: { '0': 1 }, objects: [] });
    expect(hostCalls(run('host-removal-detach', 'seed'), 2)).toEqual([]);
  },
  'host-piotlb-forwarding': () => {
    const r = run('host-piotlb-forwarding');
    const forwarded = (i: number) =>
      (r.steps[i]?.hostOps ?? []).map((o) => `${o.bdf} ${o.op} ${o.pasid}`);
    expect(forwarded(1)).toEqual(['00:02.0 invalidate 5']);
    expect(r.steps[1]?.hostOps?.[0]).toMatchObject({ npages: '0x0000000000000004', flags: 1 });
    expect(forwarded(2)).toEqual(['00:03.0 invalidate 5']);
    expect(forwarded(3)).toEqual([]);
    expect(forwarded(4)).toEqual([]);
    expect(r.steps[5]?.status).toBe('rejected');
    expect(forwarded(5)).toEqual([]);
  },
  'host-attach-failed-unbound': () => {
    const r = run('host-attach-failed-unbound');
    expect(accelPasids(r, '00:02.0')).toEqual([5]);
    expect(hostCalls(r, 0)).toEqual(['alloc 5 2', 'attach 5 2 FAILED', 'free 5 2']);
    expect(hostCalls(r, 1)).toEqual([]);
    expect(hostCalls(r, 2)).toEqual(['invalidate 5 0 FAILED']);
    expect(hostCalls(r, 4)).toEqual(['alloc 5 3', 'attach 5 3']);
  },
  'host-pasid0-bypass': () => {
    const r = run('host-pasid0-bypass');
    expect(accelPasids(r, '00:02.0')).toEqual([0]);
    expect(r.final.emulated['00:02.0']?.['0']?.valid).toBe(true);
    expect(hostCalls(r, 0)).toEqual(['alloc 0 2', 'attach 0 2 FAILED', 'free 0 2']);
    expect(r.final.host?.['00:02.0']).toEqual({ attached: { '0': 1 }, objects: [] });
  },
  'host-detach-failed-leak': () => {
    const r = run('host-detach-failed-leak');
    expect(hostCalls(r, 0)).toEqual(['faultq 5 2', 'alloc 5 3', 'attach 5 3']);
    expect(hostCalls(r, 2)).toEqual(['detach 5 FAILED']);
    expect(accelPasids(r, '00:02.0')).toEqual([]);
    expect(r.final.host?.['00:02.0']).toEqual({
      attached: { '0': 1, '5': 3 },
      objects: [
        { id: 2, type: 'faultq', pasid: 5, leaked: true },
        { id: 3, type: 'hwpt', pasid: 5, leaked: true },
      ],
    });
    expect(r.steps[3]?.status).toBe('processed');
  },
  'host-seed-pasid0-rebind': () => {
    const r = run('host-seed-pasid0-rebind');
    expect(hostCalls(r, 0)).toEqual(['alloc 0 2', 'attach 0 2']);
    const tables = (i: number) =>
      (r.steps[i]?.hostOps ?? []).flatMap((o) => (o.op === 'alloc' ? [o.pgtblAddr] : []));
    expect(tables(2)).toEqual(['0x0000000000005000']);
    expect(tables(3)).toEqual(['0x0000000000005000']);
    expect(hostCalls(r, 4)).toEqual(['invalidate 0 4']);
    expect(hostCalls(r, 5)).toEqual([]);
    const series = run('host-seed-pasid0-rebind', 'series');
    expect(hostCalls(series, 0)).toEqual(['alloc 0 2', 'attach 0 2', 'alloc 5 3', 'attach 5 3']);
  },
};

const behaviours: Readonly<Record<string, () => void>> = {
  ...hostBehaviours,
  'linux-attach-teardown': () => {
    const s = load('linux-attach-teardown').scenario;
    const r = run('linux-attach-teardown');
    // Linux 6.1 flushes PASID 0 before it writes the context entry: that flush reaches nothing.
    const ptFlush = r.steps.indexOf(only(pcSteps(r, 1, 1, 0), 'pass-through set-up flush'));
    expect(r.steps[ptFlush]!.changes).toEqual([]);
    const ctxWrite = s.steps.findIndex(
      (x) => x.op === 'write' && /context entry/.test(x.note ?? ''),
    );
    expect(ctxWrite).toBeGreaterThan(ptFlush);
    // PASID 5 is set up on the mapped device (cached), then torn down with its old DID 3.
    const [setup, teardown] = pcSteps(r, 1, 3, 5);
    expect(setup?.changes).toEqual([change('accel', '00:02.0', 5, 'created')]);
    expect(teardown?.changes).toEqual([]);
    expect(accelPasids(r, '00:02.0')).toEqual([5]);
    expect(pcSteps(run('linux-attach-teardown', 'series'), 1, 3, 5)[1]?.changes).toEqual([
      change('accel', '00:02.0', 5, 'removed'),
    ]);
    expect(s.steps.every((x) => (x.note ?? '').length > 0)).toBe(true);
  },

  'linux-release': () => {
    const s = load('linux-release').scenario;
    const r = run('linux-release');
    const [setup, teardown] = pcSteps(r, 1, 2, 0);
    // The 2026 driver mapped the context at probe, so the set-up flush reaches PASID 0.
    expect(setup?.changes).toContainEqual(change('accel', '00:02.0', 0, 'created'));
    expect(teardown?.changes).toContainEqual(change('accel', '00:02.0', 0, 'removed'));
    expect(accelPasids(r, '00:02.0')).toEqual([]);
    // Hot-unplug ends with the context entry zeroed, then one device-selective flush with DID 0.
    const last = ccStepIndices(s, 3).at(-1)!;
    const zeroed = s.steps[last - 1];
    expect(zeroed?.op === 'write' && zeroed.qwords.every((q) => q === 0n)).toBe(true);
    const cc = s.steps[last];
    expect(cc?.op === 'invalidate' && decodeContextCacheDescriptor(cc.desc).did).toBe(0);
    expect(ccStepIndices(s, 3).length).toBe(2);
  },

  'linux-caching-mode-off': () => {
    const s = load('linux-caching-mode-off').scenario;
    for (const v of ['seed', 'series'] as const) {
      const r = run('linux-caching-mode-off', v);
      // Only the root-table flush and the teardown's invalidation: no set-up flush at all.
      expect(pcSteps(r, 3).length).toBe(1);
      expect(only(pcSteps(r, 1), 'teardown flush').pcInfo).toEqual({ type: 1, did: 4, pasid: 9 });
      expect(allChanges(r).filter((c) => c.cache === 'accel')).toEqual([]);
      expect(accelPasids(r, '00:02.0')).toEqual([]);
    }
    expect(memoryEntry(s, s.steps.length, 0, 0x10, 0).present).toBe(true);
  },

  'linux-boot': () => {
    const s = load('linux-boot').scenario;
    const r = run('linux-boot');
    // Linux's PASID-selective invalidations for PASID 0 arrive before the context entry: nothing.
    for (const did of [2, 3, 4])
      expect(only(pcSteps(r, 1, did, 0), `PASID-SI did ${did}`).changes).toEqual([]);
    // Device-selective context-cache invalidations fill that device's PASID-0 address space only.
    const devsi = ccStepIndices(s, 3);
    expect(devsi).toHaveLength(3);
    expect(devsi.map((i) => r.steps[i]!.changes)).toEqual([
      [change('emulated', '00:02.0', 0, 'created')],
      [change('emulated', '00:03.0', 0, 'created')],
      [change('emulated', '00:04.0', 0, 'created')],
    ]);
    // The SVA bind is what puts a PASID in the accel list; PASID 0 of neither device is there.
    expect(only(pcSteps(r, 1, 1, 1), 'SVA bind').changes).toEqual([
      change('accel', '00:02.0', 1, 'created'),
    ]);
    expect(accelPasids(r, '00:02.0')).toEqual([1]);
    expect(accelPasids(r, '00:04.0')).toEqual([]);
    expect(r.steps.every((x) => x.status === 'processed' || x.status === 'applied')).toBe(true);
  },

  'realguest-sm-strict-timeline': () => {
    const s = load('realguest-sm-strict-timeline').scenario;
    const r = run('realguest-sm-strict-timeline');
    expect(r.final.accel).toEqual({});
    // fsts is off: device-selective context-cache invalidations never sync (vtd_pasid_cache_devsi).
    for (const i of ccStepIndices(s, 3)) expect(r.steps[i]!.changes).toEqual([]);
    // So every fill comes from a PASID-cache invalidation.
    for (const st of r.steps) {
      if (st.changes.some((c) => c.kind === 'created')) expect(st.pcInfo).toBeDefined();
    }
    // A real Linux guest never makes QEMU reject a descriptor.
    expect(r.steps.every((x) => x.status === 'processed' || x.status === 'applied')).toBe(true);
    // The disk was hot-unplugged: its context entry is no longer present.
    expect(emulated(r, '01:00.0', 0).valid).toBe(false);
  },

  'realguest-sm-strict-final': () => {
    const r = run('realguest-sm-strict-final');
    const s = load('realguest-sm-strict-final').scenario;
    // The first descriptor is a context-cache global: its replay fills every address space at once...
    expect(ccStepIndices(s, 1)[0]).toBe(0);
    expect(r.steps[0]!.changes.map((c) => c.bdf).sort()).toEqual(
      s.devices.map((d) => d.bdf).sort(),
    );
    expect(r.steps[0]!.changes.every((c) => c.cache === 'emulated' && c.kind === 'created')).toBe(
      true,
    );
    // ...and nothing after it changes: the tables do not change and valid entries are never overwritten.
    expect(r.steps.slice(1).every((x) => x.changes.length === 0)).toBe(true);
  },

  'realguest-sm-strict-timeline-iommufd-fsts-series': () => {
    const r = run('realguest-sm-strict-timeline-iommufd-fsts-series');
    expect(r.variant).toBe('series');
    // With fsts on, second-stage entries fail the PGTT check: nothing cached is ever second-stage.
    for (const list of Object.values(r.final.accel)) {
      for (const e of list) expect([1, 4]).toContain(decodePasidEntry(e.entry).pgtt);
    }
    for (const spaces of Object.values(r.final.emulated)) {
      for (const e of Object.values(spaces))
        if (e.valid) expect([1, 4]).toContain(decodePasidEntry(e.entry).pgtt);
    }
    // nic1's identity entry is cached, then removed by the series' removal pass when torn down.
    const kinds = allChanges(r)
      .filter((c) => c.cache === 'accel' && c.bdf === '00:03.0')
      .map((c) => c.kind);
    expect(kinds).toEqual(['created', 'removed']);
    expect(accelPasids(r, '00:03.0')).toEqual([]);
    expect(accelPasids(r, '00:02.0')).toEqual([0]);
  },

  'did-mismatch': () => {
    const r = run('did-mismatch');
    const wrong = only(pcSteps(r, 1, 4, 5), 'PASID-SI with the wrong DID');
    expect(wrong.changes).toEqual([]);
    expect(wrong.accelWalk).toMatchObject({ dirReads: 1, entryReads: 1 });
    expect(only(pcSteps(r, 0, 4), 'DSI did 4').changes).toEqual([]);
    expect(only(pcSteps(r, 1, 3, 5), 'PASID-SI with the right DID').changes).toEqual([
      change('accel', '00:02.0', 5, 'created'),
    ]);
  },

  'torn-down-entry': () => {
    // seed: the cached copy outlives the guest's entry, still marked present.
    const seed = run('torn-down-entry', 'seed');
    expect(accelPasids(seed, '00:02.0')).toEqual([7]);
    expect(accelEntry(seed, '00:02.0', 7).present).toBe(true);
    expect(allChanges(seed).some((c) => c.kind === 'removed')).toBe(false);
    // series: the PASID-selective invalidation after the teardown removes it.
    for (const v of ['series', 'series-fixed'] as const) {
      const r = run('torn-down-entry', v);
      const psi = pcSteps(r, 1, 3, 7);
      expect(psi[1]!.changes).toEqual([change('accel', '00:02.0', 7, 'removed')]);
      expect(accelPasids(r, '00:02.0')).toEqual([]);
    }
  },

  'stale-did': () => {
    const s = load('stale-did').scenario;
    for (const v of ['seed', 'series'] as const) {
      const r = run('stale-did', v);
      const afterWrite = r.steps.findIndex((x) => x.op === 'write');
      expect(r.steps.slice(afterWrite + 1).every((x) => x.changes.length === 0)).toBe(true);
      // The cache says DID 3, guest memory says DID 4 (and another page table).
      const cached = accelEntry(r, '00:02.0', 7);
      const inMemory = memoryEntry(s, s.steps.length, 0, 0x10, 7);
      expect(cached.did).toBe(3);
      expect(inMemory).toMatchObject({ present: true, did: 4 });
      expect(cached.fsptptr).not.toBe(inMemory.fsptptr);
    }
  },

  'accel-pce-deleted-bypass': () => {
    const r = run('accel-pce-deleted-bypass', 'series');
    const [removal, addition] = pcSteps(r, 1, undefined, 5);
    expect(removal!.changes).toEqual([change('accel', '00:02.0', 5, 'removed')]);
    // nic0's replay is skipped; nic1 still walks its one-PASID range and finds PASID 5 at its head.
    expect(removal!.accelWalk).toEqual({ dirReads: 1, entryReads: 1, listCompares: 1 });
    expect(addition!.changes).toEqual([change('accel', '00:02.0', 5, 'created')]);
    // A domain-selective removal never bypasses: both devices are walked in full (2 x 2^14 chunks).
    const dsi = only(pcSteps(r, 0, 3), 'DSI did 3');
    expect(dsi.changes).toEqual([change('accel', '00:02.0', 6, 'removed')]);
    expect(dsi.accelWalk?.dirReads).toBe(2 * (1 << 14));
    expect(accelEntry(r, '00:02.0', 5).did).toBe(4);
    // seed: nothing is ever removed, and the re-setup updates the stale entry in place.
    const seed = run('accel-pce-deleted-bypass', 'seed');
    expect(allChanges(seed).some((c) => c.kind === 'removed')).toBe(false);
    expect(pcSteps(seed, 1, 4, 5)[0]!.changes).toEqual([change('accel', '00:02.0', 5, 'updated')]);
  },

  'series-fallthrough': () => {
    const series = run('series-fallthrough', 'series');
    const dsi = only(pcSteps(series, 0, 3), 'DSI did 3');
    expect(dsi.changes).toEqual([
      change('emulated', '00:03.0', 5, 'removed'),
      change('emulated', '00:03.0', 5, 'created'),
    ]);
    // The last global syncs re-create it from an all-zero buffer, and QEMU holds it as valid.
    const last = series.steps[series.steps.length - 1]!;
    expect(last.changes).toEqual([
      change('emulated', '00:03.0', 5, 'removed'),
      change('emulated', '00:03.0', 5, 'created'),
    ]);
    expect(emulated(series, '00:03.0', 5)).toEqual({ valid: true, entry: Array(8).fill(0n) });
    for (const v of ['seed', 'series-fixed'] as const) {
      const r = run('series-fallthrough', v);
      expect(only(pcSteps(r, 0, 3), 'DSI did 3').changes).toEqual([
        change('emulated', '00:03.0', 5, 'removed'),
      ]);
      expect(
        allChanges(r)
          .filter((c) => c.pasid === 5)
          .map((c) => c.kind),
      ).toEqual(['created', 'removed']);
      expect(emulated(r, '00:03.0', 5).valid).toBe(false);
    }
  },

  'pasid0-check': () => {
    const r = run('pasid0-check');
    expect(r.variant).toBe('series');
    // The device whose PASID-0 entry is not present gets nothing, in either cache.
    expect(allChanges(r).filter((c) => c.bdf === '00:03.0')).toEqual([]);
    expect(accelPasids(r, '00:03.0')).toEqual([]);
    expect(emulated(r, '00:03.0', 0).valid).toBe(false);
    // Clearing 00:02.0's PASID-0 entry makes its DID-3 PASIDs fail the lookup: removed. The cached
    // PASID 0 (DID 1) does not match the DID filter and stays.
    const dsi = only(pcSteps(r, 0, 3), 'DSI did 3');
    expect(dsi.changes).toEqual(
      expect.arrayContaining([
        change('accel', '00:02.0', 5, 'removed'),
        change('accel', '00:02.0', 6, 'removed'),
        change('emulated', '00:02.0', 0, 'removed'),
      ]),
    );
    expect(dsi.changes).toHaveLength(3);
    expect(accelPasids(r, '00:02.0')).toEqual([0]);
    // seed: no accel removal; the emulated removal ignores the DID filter in every variant.
    const seed = run('pasid0-check', 'seed');
    expect(only(pcSteps(seed, 0, 3), 'seed DSI').changes).toEqual([
      change('emulated', '00:02.0', 0, 'removed'),
    ]);
  },

  'pasid0-two-caches': () => {
    const r = run('pasid0-two-caches');
    expect(only(pcSteps(r, 3), 'global').changes).toEqual([
      change('emulated', '00:02.0', 0, 'created'),
      change('accel', '00:02.0', 0, 'created'),
    ]);
    expect(only(pcSteps(r, 1, 1, 0), 'PASID-SI').changes).toEqual([
      change('accel', '00:02.0', 0, 'updated'),
    ]);
    expect(accelEntry(r, '00:02.0', 0).pgtt).toBe(1);
    const emu = emulated(r, '00:02.0', 0);
    expect(emu.valid).toBe(true);
    expect(decodePasidEntry(emu.entry).pgtt).toBe(4);
    expect(allChanges(r).some((c) => c.cache === 'emulated' && c.kind === 'updated')).toBe(false);
  },

  'pdts-clamp': () => {
    const r = run('pdts-clamp');
    const global = only(pcSteps(r, 3), 'global');
    // PDTS 0: 2^(0+7) directory entries, i.e. PASIDs [0, 0x2000).
    expect(global.accelWalk?.dirReads).toBe(1 << 7);
    expect(accelPasids(r, '00:02.0').sort((a, b) => a - b)).toEqual([0, 0x1fff]);
    expect(emulated(r, '00:03.0', 0x2000).valid).toBe(true);
    const psi = only(pcSteps(r, 1, 3, 0x2000), 'PASID-SI 0x2000');
    expect(psi.changes).toEqual([]);
    expect(psi.accelWalk).toEqual(ZERO_WALK);
  },

  'device-max-pasid-clamp': () => {
    const r = run('device-max-pasid-clamp');
    const sorted = (bdf: string) => accelPasids(r, bdf).sort((a, b) => a - b);
    expect(sorted('00:02.0')).toEqual([0]);
    expect(sorted('00:03.0')).toEqual([0, 0xff]);
    expect(sorted('00:04.0')).toEqual([0, 0xff, 0x100]);
    // One directory read per 64-PASID chunk: 1 (clamped to [0, 1)), 0x100 / 64, 0x1000 / 64.
    expect(only(pcSteps(r, 3), 'global').accelWalk?.dirReads).toBe(1 + 0x100 / 64 + 0x1000 / 64);
    expect(only(pcSteps(r, 1, 3, 0x100), 'PASID-SI 0x100').changes).toEqual([]);
  },

  'pasid-bits-zero': () => {
    const r = run('pasid-bits-zero');
    const [first, second] = pcSteps(r, 3);
    expect(first!.changes.filter((c) => c.cache === 'accel')).toEqual([
      change('accel', '00:02.0', 0, 'created'),
    ]);
    expect(first!.accelWalk).toMatchObject({ dirReads: 1, entryReads: 1 });
    expect(only(pcSteps(r, 1, 3, 5), 'PASID-SI 5').changes).toEqual([
      change('accel', '00:02.0', 5, 'created'),
    ]);
    expect(second!.changes).toEqual([]);
    expect(accelPasids(r, '00:02.0')).toEqual([5, 0]);
  },

  'pgtt-unsupported-fsts': () => {
    const r = run('pgtt-unsupported-fsts');
    expect(accelPasids(r, '00:02.0').sort((a, b) => a - b)).toEqual([0, 3]);
    expect([0, 1, 2, 3, 4].map((p) => emulated(r, '00:03.0', p).valid)).toEqual([
      true,
      false,
      false,
      true,
      false,
    ]);
  },

  'context-cache-invalidation': () => {
    const s = load('context-cache-invalidation').scenario;
    const r = run('context-cache-invalidation');
    const [devsi] = ccStepIndices(s, 3);
    // FM 3 ignores the function bits: both functions of device 3, and only the emulated path.
    expect(r.steps[devsi!]!.changes).toEqual([
      change('emulated', '00:03.0', 0, 'created'),
      change('emulated', '00:03.1', 0, 'created'),
    ]);
    const [domain] = ccStepIndices(s, 2);
    const created = r.steps[domain!]!.changes;
    expect(created).toEqual(
      expect.arrayContaining([
        change('emulated', '00:02.0', 0, 'created'),
        change('accel', '00:02.0', 0, 'created'),
        change('accel', '00:03.1', 0, 'created'),
        change('accel', '00:03.1', 5, 'created'),
      ]),
    );
    expect(created).toHaveLength(4);
  },

  'quadratic-cost': () => {
    const r = run('quadratic-cost');
    const n = 1024;
    const [first, second] = pcSteps(r, 3);
    expect(first!.accelWalk).toEqual({
      dirReads: 1 << 14,
      entryReads: n,
      listCompares: (n * (n - 1)) / 2,
    });
    expect(second!.accelWalk?.listCompares).toBe((n * (n + 1)) / 2);
    expect(only(pcSteps(r, 1, 3, 0), 'PASID 0').accelWalk?.listCompares).toBe(n);
    expect(only(pcSteps(r, 1, 3, n - 1), 'PASID 1023').accelWalk?.listCompares).toBe(1);
    expect(accelPasids(r, '00:02.0')).toEqual(Array.from({ length: n }, (_, i) => n - 1 - i));
  },

  'reserved-bits-iqe': () => {
    const r = run('reserved-bits-iqe');
    expect(r.steps.map((x) => x.status)).toEqual([
      'rejected',
      'blocked',
      'applied',
      'applied',
      'rejected',
      'applied',
      'processed',
    ]);
    const blocked = r.steps[1]!;
    expect(blocked.pcInfo).toBeUndefined();
    expect(blocked.changes).toEqual([]);
    expect(r.steps[0]!.error).toBeTruthy();
    expect(r.final.iqe).toBe(false);
    expect(accelPasids(r, '00:02.0')).toContain(9);
  },

  'queue-128': () => {
    const r = run('queue-128');
    expect(r.steps.map((x) => x.status)).toEqual(['processed', 'rejected', 'applied', 'processed']);
    expect(r.steps[1]!.error).toMatch(/128/);
    expect(r.steps[3]!.changes).toEqual(
      expect.arrayContaining([
        change('accel', '00:02.0', 0, 'created'),
        change('accel', '00:02.0', 5, 'created'),
      ]),
    );
  },

  'fsts-off': () => {
    const r = run('fsts-off');
    expect(accelPasids(r, '00:02.0')).toEqual([]);
    for (const st of r.steps)
      if (st.status === 'processed') expect(st.accelWalk).toEqual(ZERO_WALK);
    expect(decodePasidEntry(emulated(r, '00:02.0', 0).entry).pgtt).toBe(2);
    expect([0, 1, 2].map((p) => emulated(r, '00:03.0', p).valid)).toEqual([true, false, true]);
  },

  'te-off': () => {
    const r = run('te-off');
    for (const st of r.steps) {
      expect(st.status).toBe('processed');
      expect(st.changes).toEqual([]);
      expect(st.accelWalk).toEqual(ZERO_WALK);
    }
    expect(r.steps.filter((x) => x.pcInfo).length).toBe(3);
    expect(accelPasids(r, '00:02.0')).toEqual([]);
  },
};

// ---- the tests ----------------------------------------------------------------------------------

describe('presets', () => {
  it('index.json lists every preset file exactly once, each with a title, summary and tags', async () => {
    const index = await loadPresetIndex();
    expect(index.map((p) => p.name).sort()).toEqual(presetFiles);
    expect(presetFiles.length).toBeGreaterThanOrEqual(14);
    for (const p of index) {
      expect(p.title).toBe(load(p.name).scenario.title);
      expect(p.summary.length).toBeGreaterThan(20);
      expect(p.tags.length).toBeGreaterThan(0);
    }
  });

  it('has a behaviour check for every preset', () => {
    expect(Object.keys(behaviours).sort()).toEqual(presetFiles);
  });

  describe.each(presetFiles)('%s', (name) => {
    it('loads without warnings and explains itself', () => {
      const { scenario, warnings } = load(name);
      expect(warnings).toEqual([]);
      expect(scenario.title?.length).toBeGreaterThan(10);
      expect(scenario.description?.length).toBeGreaterThan(300);
    });

    it('matches its golden output', async () => {
      const json = `${JSON.stringify(toContractJson(run(name)), null, 2)}\n`;
      await expect(json).toMatchFileSnapshot(`./__golden__/${name}.json`);
    });

    it('prints the same JSON from "pasidscope run --preset NAME --json"', async () => {
      let stdout = '';
      const io: CliIo = {
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          throw new Error(`unexpected stderr: ${t}`);
        },
        readFile: (p) => Promise.resolve(readFileSync(p, 'utf8')),
        cwd: PRESETS_DIR,
      };
      expect(await main(['run', '--preset', name, '--json'], io)).toBe(0);
      expect(stdout).toBe(`${JSON.stringify(toContractJson(run(name)), null, 2)}\n`);
    });

    it('shows the behaviour it exists to show', () => {
      const check = behaviours[name];
      if (!check) throw new Error(`no behaviour check for ${name}`);
      check();
    });
  });
});
