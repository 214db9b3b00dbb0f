import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './parseScenario.ts';
import type { DeviceConfig, IommuConfig, Scenario, ScenarioStep } from './scenarioTypes.ts';
import { scenarioToFile } from './scenarioToFile.ts';
import { formatBdf } from './scenarioValues.ts';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const note = fc.string({ maxLength: 20 });

/** qwords at an address where they all fit below 2^64 (the parser refuses a block that wraps). */
const blockArb = (maxLength: number) =>
  fc
    .array(u64, { maxLength })
    .chain((qwords) =>
      fc
        .bigInt({ min: 0n, max: (1n << 64n) - 8n * BigInt(Math.max(qwords.length, 1)) })
        .map((addr) => ({ addr, qwords })),
    );

/** Only configurations QEMU accepts (the parser refuses the others). */
const iommuArb: fc.Arbitrary<IommuConfig> = fc
  .record({
    scalableMode: fc.boolean(),
    fstsWanted: fc.boolean(),
    pasidBits: fc.integer({ min: 0, max: 20 }),
    awBits: fc.constantFrom<39 | 48>(39, 48),
    queueWidth: fc.constantFrom<128 | 256>(128, 256),
    rootTableAddr: u64,
    rootScalable: fc.boolean(),
    dmarEnabled: fc.boolean(),
    guestRamBytes: u64,
  })
  .map(({ fstsWanted, ...r }) => ({
    ...r,
    fsts: fstsWanted && r.scalableMode && r.awBits === 48,
    pasidBits: r.scalableMode ? r.pasidBits : 0,
  }));

function devicesArb(fsts: boolean): fc.Arbitrary<DeviceConfig[]> {
  const backends = fsts
    ? (['iommufd', 'emulated'] as const)
    : (['iommufd', 'vfio-legacy', 'emulated'] as const);
  return fc.uniqueArray(
    fc
      .record(
        {
          bus: fc.integer({ min: 0, max: 255 }),
          devfn: fc.integer({ min: 0, max: 255 }),
          backend: fc.constantFrom(...backends),
          maxPasidLog2: fc.integer({ min: 0, max: 20 }),
          spaces: fc.uniqueArray(fc.integer({ min: 1, max: 0xfffff }), { maxLength: 4 }),
          name: fc.string({ maxLength: 12 }),
        },
        { requiredKeys: ['bus', 'devfn', 'backend', 'maxPasidLog2', 'spaces'] },
      )
      .map(({ spaces, ...d }): DeviceConfig => ({
        ...d,
        bdf: formatBdf(d.bus, d.devfn),
        pasidAddressSpaces: d.backend === 'emulated' ? spaces : [],
      })),
    { maxLength: 5, selector: (d) => d.bdf },
  );
}

const stepArb: fc.Arbitrary<ScenarioStep> = fc.oneof(
  fc.tuple(blockArb(4), fc.option(note, { nil: undefined })).map(([block, n]) => ({
    op: 'write' as const,
    ...block,
    ...(n === undefined ? {} : { note: n }),
  })),
  fc.record(
    {
      op: fc.constant('invalidate' as const),
      desc: fc.oneof(
        fc.array(u64, { minLength: 2, maxLength: 2 }),
        fc.array(u64, { minLength: 4, maxLength: 4 }),
      ),
      note,
    },
    { requiredKeys: ['op', 'desc'] },
  ),
  fc.record({ op: fc.constant('clearIqe' as const), note }, { requiredKeys: ['op'] }),
);

const scenarioArb: fc.Arbitrary<Scenario> = iommuArb.chain((iommu) =>
  fc.record(
    {
      title: fc.string({ maxLength: 30 }),
      description: fc.string({ maxLength: 60 }),
      variant: fc.constantFrom('seed' as const, 'series' as const, 'series-fixed' as const),
      iommu: fc.constant(iommu),
      devices: devicesArb(iommu.fsts),
      memory: fc.array(blockArb(6), { maxLength: 4 }),
      steps: fc.array(stepArb, { maxLength: 8 }),
    },
    { requiredKeys: ['variant', 'iommu', 'devices', 'memory', 'steps'] },
  ),
);

/** The same value built from ordinary objects (fast-check's records have no prototype). */
function plain<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x: unknown) => plain(x)) as T;
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) as T;
  }
  return v;
}

/** What a file goes through on its way: JSON text and back. */
function throughJson(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v));
}

describe('scenarioToFile', () => {
  propTest.prop([scenarioArb], { numRuns: 300 })(
    'export then parse gives back the identical scenario',
    (s) => {
      const r = parseScenario(throughJson(scenarioToFile(s)));
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      expect(r.warnings).toEqual([]);
      expect(r.scenario).toStrictEqual(plain(s));
    },
  );

  it('writes words as 16 lower-case hex digits and addresses without padding', () => {
    const file = scenarioToFile({
      variant: 'seed',
      iommu: {
        scalableMode: true,
        fsts: true,
        pasidBits: 20,
        awBits: 48,
        queueWidth: 256,
        rootTableAddr: 0x1000n,
        rootScalable: true,
        dmarEnabled: true,
        guestRamBytes: 0x4000_0000n,
      },
      devices: [],
      memory: [{ addr: 0xabc0n, qwords: [0xabcdn] }],
      steps: [{ op: 'invalidate', desc: [0x37n, 0n] }],
    });
    expect(file).toMatchObject({
      format: 'pasidscope-scenario',
      version: 1,
      memory: [{ addr: '0xabc0', qwords: ['0x000000000000abcd'] }],
      steps: [{ op: 'invalidate', desc: ['0x0000000000000037', '0x0000000000000000'] }],
    });
  });

  it('turns an authored file into its raw form, which loads back identically', () => {
    const authored = {
      format: 'pasidscope-scenario',
      version: 1,
      title: 'authored',
      iommu: { rootTableAddr: '0x1000' },
      devices: [{ bdf: '00:02.0', backend: 'iommufd', maxPasidLog2: 20 }],
      tables: {
        devices: [
          { bdf: '00:02.0', pasids: [{ pasidRange: [0, 9], present: true, pgtt: 1, did: 3 }] },
        ],
      },
      steps: [
        {
          op: 'writePasidEntry',
          bdf: '00:02.0',
          pasid: 200,
          fields: { present: true, pgtt: 4, did: 1 },
        },
        { op: 'invalidate', granularity: 'global' },
        { op: 'wait', sw: true, statusData: 1, statusAddr: '0x800' },
      ],
    };
    const first = parseScenario(authored);
    if (!first.ok) throw new Error(JSON.stringify(first.errors));
    const file = throughJson(scenarioToFile(first.scenario));
    expect(file).not.toHaveProperty('tables');
    const again = parseScenario(file);
    if (!again.ok) throw new Error(JSON.stringify(again.errors));
    expect(again.scenario).toStrictEqual(first.scenario);
  });
});
