import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeContextCacheDescriptor } from '../invalidation/contextCacheDescriptor.ts';
import { encodePasidCacheInvDescriptor } from '../invalidation/pasidCacheDescriptor.ts';
import { decodeWaitDescriptor } from '../invalidation/waitDescriptor.ts';
import { parseScenario, parseScenarioText } from './parseScenario.ts';
import type { Scenario } from './scenarioTypes.ts';

/** The smallest valid file; tests spread their changes over it. */
const base = {
  format: 'pasidscope-scenario',
  version: 1,
  iommu: { rootTableAddr: '0x1000' },
  devices: [{ bdf: '00:02.0', backend: 'iommufd', maxPasidLog2: 20 }],
  memory: [],
  steps: [],
};

function ok(raw: unknown): { scenario: Scenario; warnings: string[] } {
  const r = parseScenario(raw);
  if (!r.ok) throw new Error(`expected a valid file, got ${JSON.stringify(r.errors)}`);
  return r;
}

function firstError(raw: unknown): { path: string; message: string } {
  const r = parseScenario(raw);
  if (r.ok) throw new Error('expected the file to be refused');
  const e = r.errors[0];
  if (!e) throw new Error('refused without an error');
  return e;
}

function withIommu(iommu: Record<string, unknown>): Record<string, unknown> {
  return { ...base, iommu: { rootTableAddr: '0x1000', ...iommu } };
}

function withSteps(...steps: unknown[]): unknown {
  return { ...base, steps };
}

describe('parseScenario: defaults and numbers', () => {
  it('fills every omitted iommu field with the contract default', () => {
    const { scenario } = ok(base);
    expect(scenario.iommu).toEqual({
      scalableMode: true,
      fsts: true,
      pasidBits: 20,
      awBits: 48,
      queueWidth: 256,
      rootTableAddr: 0x1000n,
      rootScalable: true,
      dmarEnabled: true,
      guestRamBytes: 1n << 30n,
    });
    expect(scenario.variant).toBe('seed');
    expect(scenario.devices[0]).toEqual({
      bdf: '00:02.0',
      bus: 0,
      devfn: 0x10,
      backend: 'iommufd',
      maxPasidLog2: 20,
      pasidAddressSpaces: [],
    });
  });

  it('defaults maxPasidLog2 to 0 and reads small values as integers or hex strings', () => {
    const { scenario } = ok({
      ...base,
      iommu: { rootTableAddr: '0x1000', pasidBits: '0x10', awBits: '0x30' },
      devices: [
        { bdf: '0A:1F.7', backend: 'iommufd' },
        { bdf: '00:03.0', backend: 'emulated', pasidAddressSpaces: [0, '0x5', 5, 9] },
      ],
    });
    expect(scenario.iommu.pasidBits).toBe(16);
    expect(scenario.iommu.awBits).toBe(48);
    expect(scenario.devices[0]).toMatchObject({
      bdf: '0a:1f.7',
      bus: 10,
      devfn: 0xff,
      maxPasidLog2: 0,
    });
    // PASID 0 always has an address space, duplicates add nothing.
    expect(scenario.devices[1]?.pasidAddressSpaces).toEqual([5, 9]);
  });

  it('reads 64-bit hex words in any case without losing bits', () => {
    const { scenario } = ok({
      ...base,
      memory: [{ addr: '0XFFFFFFFFFFFFFFF0', qwords: ['0xFfFfFfFfFfFfFfFf', '0x0'] }],
    });
    expect(scenario.memory).toEqual([
      { addr: 0xffff_ffff_ffff_fff0n, qwords: [(1n << 64n) - 1n, 0n] },
    ]);
  });

  it('keeps raw steps and their notes in order', () => {
    const { scenario } = ok(
      withSteps(
        { op: 'write', addr: '0x2000', qwords: ['0x1'], note: 'hello' },
        { op: 'invalidate', desc: ['0x37', '0x0'] },
        { op: 'clearIqe' },
      ),
    );
    expect(scenario.steps).toEqual([
      { op: 'write', addr: 0x2000n, qwords: [1n], note: 'hello' },
      { op: 'invalidate', desc: [0x37n, 0n] },
      { op: 'clearIqe' },
    ]);
  });
});

describe('parseScenario: structured descriptors', () => {
  const pcFormula = (g: bigint, did: bigint, pasid: bigint): bigint[] => [
    7n | (g << 4n) | (did << 16n) | (pasid << 32n),
    0n,
    0n,
    0n,
  ];

  it.each([
    ['domain', 0n],
    ['pasid', 1n],
    ['global', 3n],
  ] as const)('encodes a %s PASID-cache invalidation as the contract formula', (granularity, g) => {
    const { scenario } = ok(
      withSteps({ op: 'invalidate', granularity, did: 0xabcd, pasid: 0xfffff }),
    );
    expect(scenario.steps[0]).toEqual({ op: 'invalidate', desc: pcFormula(g, 0xabcdn, 0xfffffn) });
  });

  it('treats missing did and pasid as 0', () => {
    const { scenario } = ok(withSteps({ op: 'invalidate', granularity: 'pasid' }));
    expect(scenario.steps[0]).toEqual({ op: 'invalidate', desc: pcFormula(1n, 0n, 0n) });
  });

  propTest.prop([
    fc.constantFrom('domain', 'pasid', 'global'),
    fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 0, max: 0xfffff }),
  ])('agrees with the model codec for every did and pasid', (granularity, did, pasid) => {
    const { scenario } = ok(withSteps({ op: 'invalidate', granularity, did, pasid }));
    const g = granularity === 'domain' ? 0 : granularity === 'pasid' ? 1 : 3;
    expect(scenario.steps[0]).toEqual({
      op: 'invalidate',
      desc: encodePasidCacheInvDescriptor({ granularity: g, did, pasid }),
    });
  });

  it('encodes a device-selective context-cache invalidation with the source id and function mask', () => {
    const { scenario } = ok(
      withSteps({
        op: 'invalidate',
        cache: 'context',
        granularity: 'device',
        bdf: '03:01.2',
        fm: 2,
      }),
    );
    const step = scenario.steps[0];
    if (step?.op !== 'invalidate') throw new Error('not an invalidation');
    expect(step.desc).toHaveLength(4);
    expect(Number(step.desc[0]! & 0xfn)).toBe(1);
    expect(decodeContextCacheDescriptor(step.desc)).toEqual({
      granularity: 3,
      did: 0,
      sourceId: (3 << 8) | (1 << 3) | 2,
      functionMask: 2,
    });
  });

  it('encodes a wait descriptor with a status write', () => {
    const { scenario } = ok(
      withSteps({ op: 'wait', sw: true, statusData: 2, statusAddr: '0x49d9c2c' }),
    );
    const step = scenario.steps[0];
    if (step?.op !== 'invalidate') throw new Error('not an invalidation');
    // The capture's Linux wait descriptor: 0x0000000200000025 / 0x49d9c2c.
    expect(step.desc).toEqual([0x0000_0002_0000_0025n, 0x49d9c2cn, 0n, 0n]);
    expect(decodeWaitDescriptor(step.desc)).toMatchObject({ statusWrite: true, statusData: 2 });
  });
});

describe('parseScenario: files that must be refused', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['wrong format', { ...base, format: 'pasidscope' }, '$.format', /pasidscope-scenario/],
    ['missing format', { ...base, format: undefined }, '$.format', /required/],
    ['wrong version', { ...base, version: 2 }, '$.version', /version 1/],
    ['unknown op', withSteps({ op: 'flush' }), '$.steps[0].op', /unknown op "flush"/],
    ['missing op', withSteps({ addr: '0x0' }), '$.steps[0].op', /required/],
    [
      'unknown backend',
      { ...base, devices: [{ bdf: '00:02.0', backend: 'vfio' }] },
      '$.devices[0].backend',
      /iommufd/,
    ],
    [
      'malformed hex word',
      withSteps({ op: 'invalidate', desc: ['0x7', '0xzz'] }),
      '$.steps[0].desc[1]',
      /expected a hex string like 0x1f, got "0xzz"/,
    ],
    [
      'a 64-bit word given as a JSON number',
      withSteps({ op: 'write', addr: 4096, qwords: [] }),
      '$.steps[0].addr',
      /hex string/,
    ],
    [
      'a word wider than 64 bits',
      withSteps({ op: 'write', addr: '0x0', qwords: ['0x10000000000000000'] }),
      '$.steps[0].qwords[0]',
      /64-bit/,
    ],
    [
      'malformed BDF',
      { ...base, devices: [{ bdf: '0:2.0', backend: 'emulated' }] },
      '$.devices[0].bdf',
      /BDF like 00:02.0/,
    ],
    [
      'device number above 1f',
      { ...base, devices: [{ bdf: '00:20.0', backend: 'emulated' }] },
      '$.devices[0].bdf',
      /device 00-1f/,
    ],
    [
      'duplicate BDF',
      {
        ...base,
        devices: [
          { bdf: '00:02.0', backend: 'emulated' },
          { bdf: '00:02.0', backend: 'iommufd' },
        ],
      },
      '$.devices[1].bdf',
      /duplicate BDF 00:02.0/,
    ],
    [
      'a desc of 3 words',
      withSteps({ op: 'invalidate', desc: ['0x7', '0x0', '0x0'] }),
      '$.steps[0].desc',
      /2 or 4 descriptor words/,
    ],
    [
      'a desc of 1 word',
      withSteps({ op: 'invalidate', desc: ['0x7'] }),
      '$.steps[0].desc',
      /2 or 4/,
    ],
    [
      'missing rootTableAddr',
      { ...base, iommu: { fsts: true } },
      '$.iommu.rootTableAddr',
      /required/,
    ],
    ['awBits 40', withIommu({ awBits: 40 }), '$.iommu.awBits', /39 or 48/],
    ['queueWidth 512', withIommu({ queueWidth: 512 }), '$.iommu.queueWidth', /128 or 256/],
    ['pasidBits 21', withIommu({ pasidBits: 21 }), '$.iommu.pasidBits', /0\.\.20/],
    [
      'maxPasidLog2 21',
      { ...base, devices: [{ bdf: '00:02.0', backend: 'iommufd', maxPasidLog2: 21 }] },
      '$.devices[0].maxPasidLog2',
      /0\.\.20/,
    ],
    [
      'did above 0xffff',
      withSteps({ op: 'invalidate', granularity: 'domain', did: 0x10000 }),
      '$.steps[0].did',
      /0\.\.0xffff/,
    ],
    [
      'pasid above 0xfffff',
      withSteps({ op: 'invalidate', granularity: 'pasid', pasid: '0x100000' }),
      '$.steps[0].pasid',
      /0\.\.0xfffff/,
    ],
    [
      'fsts without scalable mode',
      withIommu({ scalableMode: false, fsts: true, pasidBits: 0 }),
      '$.iommu.fsts',
      /scalable-mode/,
    ],
    [
      'fsts (by default) without scalable mode',
      withIommu({ scalableMode: false, pasidBits: 0 }),
      '$.iommu.fsts',
      /default/,
    ],
    ['fsts with aw 39', withIommu({ awBits: 39 }), '$.iommu.awBits', /48/],
    [
      'pasid-bits without scalable mode',
      withIommu({ scalableMode: false, fsts: false, pasidBits: 8 }),
      '$.iommu.pasidBits',
      /scalable-mode/,
    ],
    [
      'vfio-legacy device with fsts',
      { ...base, devices: [{ bdf: '00:02.0', backend: 'vfio-legacy' }] },
      '$.devices[0].backend',
      /iommufd/,
    ],
    ['not an object', [1, 2], '$', /JSON object/],
    ['iommu not an object', { ...base, iommu: 'x' }, '$.iommu', /object/],
    ['steps not a list', { ...base, steps: {} }, '$.steps', /list of steps/],
    [
      'a structured invalidation with a raw desc',
      withSteps({ op: 'invalidate', desc: ['0x7', '0x0'], did: 3 }),
      '$.steps[0].did',
      /either "desc"/,
    ],
    [
      'an invalidation with neither desc nor granularity',
      withSteps({ op: 'invalidate', did: 3 }),
      '$.steps[0].granularity',
      /required/,
    ],
    [
      'an unknown granularity',
      withSteps({ op: 'invalidate', granularity: 'all' }),
      '$.steps[0].granularity',
      /"domain", "pasid", "global"/,
    ],
  ])('%s', (_name, raw, path, message) => {
    const e = firstError(raw);
    expect(e.path).toBe(path);
    expect(e.message).toMatch(message);
  });

  it('allows vfio-legacy devices when fsts is off', () => {
    const { scenario } = ok({
      ...withIommu({ fsts: false }),
      devices: [{ bdf: '00:02.0', backend: 'vfio-legacy' }],
    });
    expect(scenario.devices[0]?.backend).toBe('vfio-legacy');
  });

  it('reports every structural problem, not only the first', () => {
    const r = parseScenario({
      ...base,
      version: 3,
      steps: [{ op: 'x' }, { op: 'write', addr: 'y' }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path)).toEqual([
      '$.version',
      '$.steps[0].op',
      '$.steps[1].addr',
      '$.steps[1].qwords',
    ]);
  });

  propTest.prop([fc.anything()])('never throws, whatever it is given', (raw) => {
    const r = parseScenario(raw);
    if (!r.ok) {
      expect(r.errors.length).toBeGreaterThan(0);
      for (const e of r.errors) expect(e.path.startsWith('$')).toBe(true);
    }
  });

  propTest.prop([fc.jsonValue()])('never throws on any JSON value in any field', (v) => {
    for (const raw of [
      { ...base, iommu: v },
      { ...base, devices: [v] },
      { ...base, steps: [v] },
      { ...base, tables: v },
      { ...base, tables: { devices: [{ bdf: '00:02.0', pasids: [v] }] } },
    ]) {
      expect(() => parseScenario(raw)).not.toThrow();
    }
  });
});

describe('parseScenario: the 64-bit address space never wraps', () => {
  const TOP = 1n << 64n;
  const hex = (v: bigint) => `0x${v.toString(16)}`;

  it('refuses a write step whose second qword would land on address 0 (the root table)', () => {
    const e = firstError(
      withSteps({ op: 'write', addr: '0xfffffffffffffff8', qwords: ['0x0', '0x0'] }),
    );
    expect(e.path).toBe('$.steps[0].qwords[1]');
    expect(e.message).toMatch(/past the end of the 64-bit address space/);
    expect(e.message).toMatch(/never wrap to 0/);
  });

  it('refuses an initial memory block that runs past 2^64, naming the first qword that does not fit', () => {
    const e = firstError({
      ...base,
      memory: [
        { addr: '0x0', qwords: ['0x1'] },
        { addr: '0xffffffffffffffe0', qwords: ['0x1', '0x2', '0x3', '0x4', '0x5'] },
      ],
    });
    expect(e.path).toBe('$.memory[1].qwords[4]');
  });

  it('refuses an unaligned qword that straddles 2^64', () => {
    const e = firstError(withSteps({ op: 'write', addr: '0xfffffffffffffffc', qwords: ['0x1'] }));
    expect(e.path).toBe('$.steps[0].qwords[0]');
  });

  it('accepts a block whose last byte is the last address, and keeps it where it was written', () => {
    const { scenario } = ok({
      ...base,
      memory: [{ addr: '0xfffffffffffffff0', qwords: ['0x1', '0x2'] }],
      steps: [{ op: 'write', addr: '0xfffffffffffffff8', qwords: ['0x3'] }],
    });
    expect(scenario.memory).toEqual([{ addr: 0xfffffffffffffff0n, qwords: [1n, 2n] }]);
    expect(scenario.steps[0]).toEqual({ op: 'write', addr: 0xfffffffffffffff8n, qwords: [3n] });
  });

  propTest.prop([
    fc.bigInt({ min: TOP - 96n, max: TOP - 1n }),
    fc.integer({ min: 1, max: 8 }),
    fc.constantFrom('memory', 'step'),
  ])('near the top: refused exactly when addr + 8 × qwords > 2^64', (addr, n, where) => {
    const qwords = Array.from({ length: n }, (_, i) => hex(BigInt(i)));
    const block = { addr: hex(addr), qwords };
    const raw =
      where === 'memory' ? { ...base, memory: [block] } : withSteps({ op: 'write', ...block });
    const r = parseScenario(raw);
    const fits = addr + 8n * BigInt(n) <= TOP;
    expect(r.ok).toBe(fits);
    if (!r.ok) {
      const at = where === 'memory' ? '$.memory[0]' : '$.steps[0]';
      expect(r.errors.map((e) => e.path)).toEqual([`${at}.qwords[${(TOP - addr) / 8n}]`]);
    }
  });
});

describe('parseScenario: warnings', () => {
  it('accepts unknown top-level keys with a warning naming them', () => {
    const { scenario, warnings } = ok({ ...base, viewHints: { zoom: 2 } });
    expect(scenario.steps).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^\$\.viewHints: unknown key ignored/);
  });

  it('warns about a misspelt iommu key instead of silently using the default', () => {
    const { scenario, warnings } = ok(withIommu({ fst: false }));
    expect(scenario.iommu.fsts).toBe(true);
    expect(warnings.join('\n')).toMatch(/\$\.iommu\.fst: unknown key/);
  });

  it('warns that extra PASID address spaces only exist on emulated devices', () => {
    const { scenario, warnings } = ok({
      ...base,
      devices: [{ bdf: '00:02.0', backend: 'iommufd', pasidAddressSpaces: [3] }],
    });
    expect(scenario.devices[0]?.pasidAddressSpaces).toEqual([]);
    expect(warnings[0]).toMatch(/\$\.devices\[0\]\.pasidAddressSpaces/);
  });
});

describe('parseScenarioText', () => {
  it('names the line and column of a JSON syntax error', () => {
    const r = parseScenarioText('{\n  "format": "pasidscope-scenario",\n  "version": 1,,\n}');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]?.path).toBe('$');
    expect(r.errors[0]?.message).toMatch(/not valid JSON \(line 3, column \d+\)/);
  });

  it('skips a leading UTF-8 byte-order mark', () => {
    const r = parseScenarioText(`\uFEFF${JSON.stringify(base)}`);
    expect(r.ok).toBe(true);
  });

  it('parses valid text like parseScenario', () => {
    expect(parseScenarioText(JSON.stringify(base))).toEqual(parseScenario(base));
  });
});
