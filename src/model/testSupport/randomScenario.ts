// Test support: fast-check arbitraries for small random scenarios (1-3 devices, PASIDs below
// 300, pasid-bits up to 9), small enough for the naive reference model.

import { fc } from '@fast-check/vitest';
import type { DeviceBackend, Scenario, Variant } from '../scenario/scenarioTypes.ts';
import { ScenarioBuilder } from './scenarioBuilder.ts';
import type { EntryFields } from './scenarioBuilder.ts';

const entryFields: fc.Arbitrary<EntryFields> = fc.record({
  present: fc.oneof(
    { weight: 3, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  pgtt: fc.constantFrom(0, 1, 1, 1, 1, 1, 2, 2, 3, 4, 4),
  did: fc.integer({ min: 1, max: 3 }),
  aw: fc.constantFrom(1, 2, 3),
  fspm: fc.constantFrom(0, 0, 0, 0, 0, 1),
  high: fc.constantFrom<readonly bigint[]>([], [0n, 0n, 1n]),
});

// Mostly a few PASIDs, so that later steps revisit what earlier ones cached.
const pasid = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 6 }) },
  { weight: 3, arbitrary: fc.integer({ min: 62, max: 68 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 300 }) },
);

type StepSpec =
  | {
      readonly op: 'entry';
      readonly dev: number;
      readonly pasid: number;
      readonly fields: EntryFields;
    }
  | { readonly op: 'dirOff'; readonly dev: number; readonly pasid: number }
  | { readonly op: 'pc'; readonly g: 0 | 1 | 2 | 3; readonly did: number; readonly pasid: number }
  | { readonly op: 'cc'; readonly g: 0 | 1 | 2 | 3; readonly dev: number; readonly fm: number }
  | {
      readonly op: 'linux';
      readonly dev: number;
      readonly pasid: number;
      readonly did: number;
      readonly setup: boolean;
    }
  | { readonly op: 'wait' }
  | { readonly op: 'clearIqe' };

const stepSpec: fc.Arbitrary<StepSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('entry' as const),
      dev: fc.nat(2),
      pasid,
      fields: entryFields,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('dirOff' as const), dev: fc.nat(2), pasid }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('pc' as const),
      g: fc.oneof(
        { weight: 10, arbitrary: fc.constantFrom<0 | 1 | 3>(0, 0, 1, 1, 1, 3, 3, 3) },
        { weight: 1, arbitrary: fc.constant<2>(2) },
      ),
      did: fc.integer({ min: 0, max: 3 }),
      pasid,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('cc' as const),
      g: fc.constantFrom<0 | 1 | 2 | 3>(1, 2, 3, 3, 0),
      dev: fc.nat(2),
      fm: fc.nat(3),
    }),
  },
  {
    // What Linux does: write (or tear down) an entry, then a PASID-selective invalidation.
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('linux' as const),
      dev: fc.nat(2),
      pasid,
      did: fc.integer({ min: 1, max: 3 }),
      setup: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'wait' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clearIqe' as const }) },
);

const deviceSpec = fc.record({
  backend: fc.constantFrom<DeviceBackend>(
    'iommufd',
    'iommufd',
    'iommufd',
    'emulated',
    'vfio-legacy',
  ),
  maxPasidLog2: fc.constantFrom(0, 2, 6, 9, 20),
  pdts: fc.constantFrom(0, 1, 7),
  extra: fc.subarray([1, 5, 64, 70, 299]),
  pasid0: fc.oneof(
    { weight: 5, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
});

export const randomScenario: fc.Arbitrary<Scenario> = fc
  .record({
    fsts: fc.constantFrom(true, true, true, false),
    pasidBits: fc.constantFrom(0, 3, 7, 7, 9, 9),
    queueWidth: fc.constantFrom<128 | 256>(256, 256, 256, 256, 256, 256, 256, 128),
    aw39: fc.boolean(),
    rootScalable: fc.oneof(
      { weight: 6, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    dmarEnabled: fc.oneof(
      { weight: 6, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    variant: fc.constantFrom<Variant>('seed', 'series', 'series-fixed'),
    devices: fc.array(deviceSpec, { minLength: 1, maxLength: 3 }),
    entries: fc.array(fc.record({ dev: fc.nat(2), pasid, fields: entryFields }), { maxLength: 12 }),
    steps: fc.array(stepSpec, { minLength: 1, maxLength: 20 }),
  })
  .map((r) => {
    const b = new ScenarioBuilder(
      {
        fsts: r.fsts,
        pasidBits: r.pasidBits,
        queueWidth: r.queueWidth,
        awBits: r.fsts || !r.aw39 ? 48 : 39,
        rootScalable: r.rootScalable,
        dmarEnabled: r.dmarEnabled,
      },
      r.variant,
    );
    const bdfs: string[] = [];
    r.devices.forEach((d, i) => {
      const bdf = `00:0${i + 1}.${i === 2 ? 4 : 0}`;
      const backend = r.fsts && d.backend === 'vfio-legacy' ? 'iommufd' : d.backend;
      b.device(bdf, {
        backend,
        maxPasidLog2: d.maxPasidLog2,
        pdts: d.pdts,
        pasidAddressSpaces: d.extra,
        ...(d.pasid0 ? {} : { pasid0: false }),
      });
      bdfs.push(bdf);
    });
    const bdfOf = (dev: number): string => bdfs[dev % bdfs.length] ?? '00:01.0';
    for (const e of r.entries) b.setPasidEntry(bdfOf(e.dev), e.pasid, e.fields);
    for (const s of r.steps) {
      switch (s.op) {
        case 'entry':
          b.writePasidEntryWithDir(bdfOf(s.dev), s.pasid, s.fields);
          break;
        case 'dirOff':
          b.write(b.dirEntryAddr(bdfOf(s.dev), s.pasid), [0n]);
          break;
        case 'pc':
          b.pc(s.g, s.did, s.pasid);
          break;
        case 'cc': {
          const bdf = bdfOf(s.dev);
          const [bus = '0', rest = '0.0'] = bdf.split(':');
          const [dev = '0', fn = '0'] = rest.split('.');
          const sid = (parseInt(bus, 16) << 8) | (parseInt(dev, 16) << 3) | parseInt(fn, 16);
          b.cc(s.g, { did: 1, sourceId: sid, functionMask: s.fm });
          break;
        }
        case 'linux':
          b.writePasidEntryWithDir(bdfOf(s.dev), s.pasid, {
            present: s.setup,
            pgtt: 1,
            did: s.did,
          });
          b.psi(s.did, s.pasid);
          break;
        case 'wait':
          b.wait(0x9000n, 2);
          break;
        case 'clearIqe':
          b.clearIqe();
          break;
      }
    }
    return b.build();
  });

type ChurnSpec =
  | { readonly op: 'setup'; readonly dev: number; readonly pasid: number; readonly did: number }
  | { readonly op: 'teardown'; readonly dev: number; readonly pasid: number }
  | { readonly op: 'pc'; readonly g: 0 | 1 | 3; readonly did: number; readonly pasid: number };

/**
 * Scenarios that keep creating and removing cache entries: iommufd and emulated devices, fsts
 * on, every descriptor valid, Linux-like set-up (write, then PASID-selective with the new DID)
 * and teardown (clear P, then PASID-selective with the old DID) mixed with random invalidations.
 */
export const churnScenario: fc.Arbitrary<Scenario> = fc
  .record({
    variant: fc.constantFrom<Variant>('seed', 'series', 'series-fixed'),
    devices: fc.array(fc.constantFrom<DeviceBackend>('iommufd', 'iommufd', 'emulated'), {
      minLength: 1,
      maxLength: 2,
    }),
    steps: fc.array(
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record({
            op: fc.constant('setup' as const),
            dev: fc.nat(1),
            pasid: fc.integer({ min: 1, max: 12 }),
            did: fc.integer({ min: 1, max: 2 }),
          }),
        },
        {
          weight: 3,
          arbitrary: fc.record({
            op: fc.constant('teardown' as const),
            dev: fc.nat(1),
            pasid: fc.integer({ min: 0, max: 12 }),
          }),
        },
        {
          weight: 3,
          arbitrary: fc.record({
            op: fc.constant('pc' as const),
            g: fc.constantFrom<0 | 1 | 3>(0, 1, 3, 3),
            did: fc.integer({ min: 1, max: 2 }),
            pasid: fc.integer({ min: 0, max: 12 }),
          }),
        },
      ),
      { minLength: 4, maxLength: 30 },
    ),
  })
  .map((r) => {
    const b = new ScenarioBuilder({ pasidBits: 4 }, r.variant);
    const bdfs = r.devices.map((backend, i) => {
      const bdf = `00:0${i + 1}.0`;
      b.device(bdf, { backend, pasidAddressSpaces: backend === 'emulated' ? [1, 2, 3, 4, 5] : [] });
      return bdf;
    });
    const dids = new Map<string, number>();
    for (const s of r.steps as readonly ChurnSpec[]) {
      if (s.op === 'pc') {
        b.pc(s.g, s.did, s.pasid);
        continue;
      }
      const bdf = bdfs[s.dev % bdfs.length] ?? '00:01.0';
      const key = `${bdf}/${s.pasid}`;
      if (s.op === 'setup') {
        dids.set(key, s.did);
        b.writePasidEntryWithDir(bdf, s.pasid, { pgtt: 1, did: s.did });
        b.psi(s.did, s.pasid);
      } else {
        const did = dids.get(key) ?? 1;
        b.writePasidEntryWithDir(bdf, s.pasid, { present: false, pgtt: 1, did });
        b.psi(did, s.pasid);
      }
    }
    return b.build();
  });
