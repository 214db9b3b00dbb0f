// The "as captured from Linux 6.1" actions against the real guest's capture: for every set-up,
// context mapping, teardown and hot-unplug the guest did, the action for the same device, DID and
// PASID produces the same PASID-cache and context-cache descriptors in the same order, each followed
// by the driver's wait descriptor, and the same structure words. Nothing expected is typed here: the
// capture's steps (their notes name the kernel callers) are the expectation.

import { describe, expect, it } from 'vitest';
import captureTimeline from '../../../public/scenarios/realguest-sm-strict-timeline.json';
import { DescType, descriptorTypeCode } from '../invalidation/descriptorType.ts';
import type { GuestMemory } from '../memory/guestMemory.ts';
import { memoryAtStep } from '../run/memoryAtStep.ts';
import { vtdCapInit } from '../qemu/vtdCapInit.ts';
import { parseScenario } from '../scenario/parseScenario.ts';
import type { DeviceConfig, Scenario, ScenarioStep } from '../scenario/scenarioTypes.ts';
import { formatBdf } from '../scenario/scenarioValues.ts';
import { contextEntryAddress, decodeContextEntry } from '../tables/contextEntry.ts';
import {
  decodePasidDirEntry,
  pasidDirEntryAddress,
  pasidEntryAddress,
} from '../tables/pasidDirEntry.ts';
import { decodeRootEntry, rootEntryAddress } from '../tables/rootEntry.ts';
import { appendLinuxAction } from './appendLinuxAction.ts';
import type { LinuxAction } from './linuxActions.ts';

const parsed = parseScenario(captureTimeline);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const capture: Scenario = parsed.scenario;
const steps = capture.steps;

const WAIT_VAL0 = 0x0000_0002_0000_0025n;

type Invalidate = Extract<ScenarioStep, { op: 'invalidate' }>;

/** PASID-cache and context-cache descriptors (what the capture logged besides waits). */
function isCacheDesc(s: ScenarioStep | undefined): s is Invalidate {
  if (s?.op !== 'invalidate') return false;
  const t = descriptorTypeCode(s.desc[0] ?? 0n);
  return t === DescType.PasidCache || t === DescType.ContextCache;
}

const caller = (s: ScenarioStep): string => s.note?.split('; from ')[1] ?? '';
const didOf = (val0: bigint): number => Number((val0 >> 16n) & 0xffffn);
const sidOf = (val0: bigint): number => Number((val0 >> 32n) & 0xffffn);

/** The capture's device with this SID; the e1000 behind the bridge (03:01.0) is not one of them
 * (QEMU gives it its alias's address space), so it is made up from its SID. */
function deviceBySid(sid: number): DeviceConfig {
  const bus = sid >> 8;
  const devfn = sid & 0xff;
  return (
    capture.devices.find((x) => x.bus === bus && x.devfn === devfn) ?? {
      bdf: formatBdf(bus, devfn),
      bus,
      devfn,
      backend: 'emulated',
      maxPasidLog2: 0,
      pasidAddressSpaces: [],
    }
  );
}

/** Where a device's PASID-0 entry and context entry are in `mem` (undefined when unreachable). */
function structuresOf(mem: GuestMemory, d: DeviceConfig) {
  const root = decodeRootEntry([
    mem.readQword(rootEntryAddress(vtdCapInit(capture.iommu).rootTable, d.bus)),
    mem.readQword(rootEntryAddress(vtdCapInit(capture.iommu).rootTable, d.bus) + 8n),
  ]);
  const table = d.devfn >= 128 ? root.upperContextTable : root.lowerContextTable;
  if (table === 0n) return undefined;
  const ctxAddr = contextEntryAddress(table, d.devfn);
  const ctx = decodeContextEntry([0, 1, 2, 3].map((i) => mem.readQword(ctxAddr + BigInt(8 * i))));
  if (ctx.pasidDirPtr === 0n) return { ctxAddr, pasid0: undefined };
  const de = decodePasidDirEntry([mem.readQword(pasidDirEntryAddress(ctx.pasidDirPtr, 0))]);
  return { ctxAddr, pasid0: de.present ? pasidEntryAddress(de.pasidTablePtr, 0) : undefined };
}

const words = (mem: GuestMemory, addr: bigint, n: number): bigint[] =>
  Array.from({ length: n }, (_, i) => mem.readQword(addr + BigInt(8 * i)));

/** The generated steps' cache descriptors, each checked to be followed by the driver's wait. */
function cacheDescriptors(generated: readonly ScenarioStep[]): (readonly bigint[])[] {
  const out: (readonly bigint[])[] = [];
  generated.forEach((s, i) => {
    if (s.op !== 'invalidate' || descriptorTypeCode(s.desc[0] ?? 0n) === DescType.Wait) return;
    const next = generated[i + 1];
    expect(next?.op === 'invalidate' ? next.desc[0] : undefined, `wait after step ${i}`).toBe(
      WAIT_VAL0,
    );
    if (isCacheDesc(s)) out.push(s.desc);
  });
  return out;
}

function generate(base: Scenario, action: LinuxAction): readonly ScenarioStep[] {
  const r = appendLinuxAction(base, action, { flavour: 'linux-6.1', cachingMode: true });
  if (!r.ok) throw new Error(r.message);
  expect(r.scenario.steps.slice(0, base.steps.length)).toEqual(base.steps);
  return r.scenario.steps.slice(base.steps.length);
}

const empty: Scenario = { ...capture, memory: [], steps: [] };
const withDevice = (s: Scenario, d: DeviceConfig): Scenario =>
  s.devices.includes(d) ? s : { ...s, devices: [...s.devices, d] };
const prefix = (n: number): Scenario => ({ ...capture, steps: steps.slice(0, n) });

// ---- the capture's actions, found by their kernel callers --------------------------------------

const cacheIdx = steps.flatMap((s, i) => (isCacheDesc(s) ? [i] : []));
const previousCacheStep = (i: number): Invalidate | undefined => {
  const k = cacheIdx.indexOf(i);
  const prev = k > 0 ? steps[cacheIdx[k - 1]!] : undefined;
  return isCacheDesc(prev) ? prev : undefined;
};

const attaches = cacheIdx.filter((i) => caller(steps[i]!).includes('domain_context_mapping_one'));
const newDeviceAttaches = attaches.filter((i) =>
  caller(previousCacheStep(i) ?? steps[i]!).includes('intel_pasid_setup_'),
);
const aliasMappings = attaches.filter((i) => !newDeviceAttaches.includes(i));
const teardowns = cacheIdx.filter((i) =>
  caller(steps[i]!).startsWith('intel_pasid_tear_down_entry'),
);

describe('Linux 6.1 actions reproduce the real guest capture', () => {
  it('finds every kind of action in the capture', () => {
    expect(newDeviceAttaches.length).toBeGreaterThanOrEqual(10);
    expect(aliasMappings.length).toBeGreaterThanOrEqual(1);
    expect(teardowns.length).toBeGreaterThanOrEqual(4);
  });

  it.each(newDeviceAttaches)(
    'attaching a new device (context-cache flush at capture step %i)',
    (ccIndex) => {
      const cc = steps[ccIndex] as Invalidate;
      const pc = previousCacheStep(ccIndex)!;
      const dev = deviceBySid(sidOf(cc.desc[0]!));
      const mem = memoryAtStep(capture, ccIndex);
      const where = structuresOf(mem, dev);
      if (!where?.pasid0) throw new Error(`${dev.bdf} has no PASID-0 entry at ${ccIndex}`);
      const entry = words(mem, where.pasid0, 8);
      const pgtt = Number((entry[0]! >> 6n) & 7n);
      const generated = generate(withDevice(empty, dev), {
        kind: 'setupPasid',
        bdf: dev.bdf,
        pasid: 0,
        did: didOf(pc.desc[0]!),
        setup: pgtt === 4 ? 'pass-through' : 'second-stage',
        pageTable: entry[0]! & ~0xfffn,
      });
      expect(cacheDescriptors(generated)).toEqual([pc.desc, cc.desc]);
      const writes = generated.filter((s) => s.op === 'write');
      // The PASID entry: the same eight words.
      expect(
        writes.some((w) => w.qwords.length === 8 && w.qwords.every((q, i) => q === entry[i])),
      ).toBe(true);
      // The context entry: the same flags and PDTS (its directory lives elsewhere here).
      const ctx = words(mem, where.ctxAddr, 4);
      const genCtx = writes.find((w) => w.note?.includes('context entry'));
      expect(genCtx?.qwords.map((q, i) => (i === 0 ? q & 0xfffn : q))).toEqual(
        ctx.map((q, i) => (i === 0 ? q & 0xfffn : q)),
      );
    },
  );

  it.each(aliasMappings)('mapping an alias context (capture step %i)', (ccIndex) => {
    const cc = steps[ccIndex] as Invalidate;
    const dev = deviceBySid(sidOf(cc.desc[0]!));
    const prev = previousCacheStep(ccIndex)!;
    const generated = generate(empty, { kind: 'mapContext', bdf: dev.bdf, did: 2 });
    expect(cacheDescriptors(generated)).toEqual([cc.desc]);
    expect(isCacheDesc(prev)).toBe(true);
  });

  it.each(teardowns)('tearing a PASID entry down (capture step %i)', (pcIndex) => {
    // The capture's write just before the batch clears the present bit of some device's PASID 0.
    const write = steps[pcIndex - 1];
    if (write?.op !== 'write') throw new Error('no write before the teardown');
    const mem = memoryAtStep(capture, pcIndex - 1);
    const dev = capture.devices.find((d) => structuresOf(mem, d)?.pasid0 === write.addr);
    if (!dev) throw new Error(`no device owns ${write.addr}`);
    const release = caller(steps[pcIndex]!).includes('dmar_remove_one_dev_info');
    const group = [pcIndex];
    for (let k = cacheIdx.indexOf(pcIndex) + 1; release && k < cacheIdx.length; k++) {
      if (!caller(steps[cacheIdx[k]!]!).includes('domain_context_clear_one')) break;
      group.push(cacheIdx[k]!);
    }
    const generated = generate(
      prefix(pcIndex - 1),
      release ? { kind: 'release', bdf: dev.bdf } : { kind: 'tearDown', bdf: dev.bdf, pasid: 0 },
    );
    expect(cacheDescriptors(generated)).toEqual(group.map((i) => (steps[i] as Invalidate).desc));
    const writes = generated.filter((s) => s.op === 'write');
    expect(writes[0]).toMatchObject({ addr: write.addr, qwords: write.qwords });
    if (release) {
      // The context entry's present bit, cleared before the context-cache flush.
      const ctxWrite = steps
        .slice(pcIndex, group[1])
        .find((s): s is Extract<ScenarioStep, { op: 'write' }> => s.op === 'write');
      expect(ctxWrite).toBeDefined();
      expect(writes.find((w) => w.addr === ctxWrite!.addr)).toMatchObject({
        qwords: ctxWrite!.qwords,
      });
    }
  });
});
