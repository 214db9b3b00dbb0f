// vtd_process_inv_desc: queue width, reserved bits and granularity per descriptor type, FSTS.IQE
// and blocking, the wait descriptor's status write.

import { describe, expect, it } from 'vitest';
import { PasidScopeMachine } from '../run/pasidScopeMachine.ts';
import type { StepResult } from '../run/runTypes.ts';
import { ScenarioBuilder } from '../testSupport/scenarioBuilder.ts';
import type { IommuConfig } from '../scenario/scenarioTypes.ts';
import { RejectReason, TraceKind } from '../trace/traceFormat.ts';

function runDescs(
  descs: readonly (readonly bigint[])[],
  iommu: Partial<IommuConfig> = {},
): StepResult[] {
  const b = new ScenarioBuilder(iommu).device('00:01.0');
  for (const d of descs) b.invalidate(d);
  return new PasidScopeMachine(b.build()).runAll();
}

function status(desc: readonly bigint[], iommu: Partial<IommuConfig> = {}): string {
  return runDescs([desc], iommu)[0]?.status ?? 'none';
}

describe('PASID-cache descriptor checks', () => {
  it('rejects it in a 128-bit queue (IQA.DW clear)', () => {
    const [r] = runDescs([[0x37n, 0n]], { queueWidth: 128 });
    expect(r?.status).toBe('rejected');
    expect(r?.error).toMatch(/256-bit .* 128-bit/);
  });

  it('rejects it when 256-bit descriptors need ECAP.SMTS and scalable mode and fsts are off', () => {
    expect(status([0x37n, 0n, 0n, 0n], { scalableMode: false, fsts: false, queueWidth: 256 })).toBe(
      'rejected',
    );
    expect(status([0x37n, 0n, 0n, 0n], { scalableMode: true, fsts: false, queueWidth: 256 })).toBe(
      'processed',
    );
  });

  it.each([
    ['bit 6', [0x37n | (1n << 6n), 0n, 0n, 0n]],
    ['bit 8', [0x37n | (1n << 8n), 0n, 0n, 0n]],
    ['bit 12', [0x37n | (1n << 12n), 0n, 0n, 0n]],
    ['bit 15', [0x37n | (1n << 15n), 0n, 0n, 0n]],
    ['bit 52', [0x37n | (1n << 52n), 0n, 0n, 0n]],
    ['bit 63', [0x37n | (1n << 63n), 0n, 0n, 0n]],
    ['val[1]', [0x37n, 1n, 0n, 0n]],
    ['val[2]', [0x37n, 0n, 1n << 40n, 0n]],
    ['val[3]', [0x37n, 0n, 0n, 2n]],
  ])('rejects reserved %s', (_name, desc) => {
    const [r] = runDescs([desc]);
    expect(r?.status).toBe('rejected');
    expect(r?.error).toMatch(/reserved/);
  });

  it('rejects granularity 2 after the reserved check', () => {
    const [r] = runDescs([[0x27n, 0n, 0n, 0n]]);
    expect(r).toMatchObject({ status: 'rejected', descType: 'pasid-cache' });
    expect(r?.error).toMatch(/granularity 2/);
  });

  it('treats bits 11:9 as type bits: type 0x17 is unknown', () => {
    const [r] = runDescs([[0x237n, 0n, 0n, 0n]]);
    expect(r?.status).toBe('rejected');
    expect(r?.error).toMatch(/unknown descriptor type 0x17/);
  });

  it("reports pcInfo as QEMU's zero-initialised VTDPASIDCacheInfo", () => {
    const pasidAndDid = (3n << 16n) | (7n << 32n);
    const steps = runDescs([
      [0x07n | pasidAndDid, 0n, 0n, 0n],
      [0x17n | pasidAndDid, 0n, 0n, 0n],
      [0x37n | pasidAndDid, 0n, 0n, 0n],
    ]);
    expect(steps.map((s) => s.pcInfo)).toEqual([
      { type: 0, did: 3, pasid: 0 },
      { type: 1, did: 3, pasid: 7 },
      { type: 3, did: 0, pasid: 0 },
    ]);
  });
});

describe('FSTS.IQE', () => {
  it('blocks later descriptors until cleared, keeps applying writes, does not replay', () => {
    const b = new ScenarioBuilder().device('00:01.0');
    b.pc(2) // rejected
      .global() // blocked
      .write(0x9000n, [1n]) // applied
      .wait(0x9100n) // blocked
      .clearIqe()
      .global();
    const m = new PasidScopeMachine(b.build());
    const steps = m.runAll();
    expect(steps.map((s) => s.status)).toEqual([
      'rejected',
      'blocked',
      'applied',
      'blocked',
      'applied',
      'processed',
    ]);
    expect(steps[1]?.changes).toEqual([]);
    expect(steps[1]?.accelWalk).toBeUndefined();
    expect(m.memory().readQword(0x9000n)).toBe(1n);
    expect(m.memory().readQword(0x9100n)).toBe(0n);
    // The global sync after clearIqe created the caches; the blocked one did nothing.
    expect(steps[5]?.changes.length).toBe(2);
  });

  it('ends the run with iqe set when nothing cleared it', () => {
    const b = new ScenarioBuilder().device('00:01.0').pc(2);
    expect(b.run().final.iqe).toBe(true);
  });
});

describe('wait descriptor', () => {
  it('writes the 4-byte status data when SW is set', () => {
    const b = new ScenarioBuilder().device('00:01.0');
    b.setMemory(0x9000n, [0xffff_ffff_ffff_ffffn]);
    b.wait(0x9004n, 2);
    const m = new PasidScopeMachine(b.build());
    const [r] = m.runAll();
    expect(r).toMatchObject({ status: 'processed', descType: 'wait' });
    expect(r?.accelWalk).toEqual({ dirReads: 0, entryReads: 0, listCompares: 0 });
    expect(m.memory().readQword(0x9000n)).toBe(0x0000_0002_ffff_ffffn);
    const t = m.trace();
    expect([...t.kind.subarray(0, t.length)]).toContain(TraceKind.WaitStatusWrite);
  });

  it('rejects a status write outside guest RAM', () => {
    const [r] = runDescs([[0x25n | (2n << 32n), 0x8000_0000n]], { guestRamBytes: 0x8000_0000n });
    expect(r?.status).toBe('rejected');
    expect(r?.error).toMatch(/outside guest RAM/);
  });

  it('needs one of IF, SW, FN', () => {
    expect(status([0x05n, 0n])).toBe('rejected');
    expect(status([0x15n, 0n])).toBe('processed');
    expect(status([0x45n, 0n])).toBe('processed');
  });

  it.each([
    ['PD (bit 7)', [0x25n | 0x80n, 0x9000n, 0n, 0n]],
    ['bit 8', [0x25n | 0x100n, 0x9000n, 0n, 0n]],
    ['bit 31', [0x25n | (1n << 31n), 0x9000n, 0n, 0n]],
    ['status address bits 1:0', [0x25n, 0x9001n, 0n, 0n]],
    ['val[2] in a 256-bit queue', [0x25n, 0x9000n, 1n, 0n]],
  ])('rejects reserved %s', (_name, desc) => {
    expect(status(desc)).toBe('rejected');
  });

  it('reads only val[0..1] in a 128-bit queue', () => {
    expect(status([0x25n, 0x9000n, 1n, 1n], { queueWidth: 128 })).toBe('processed');
  });
});

describe('context-cache descriptor', () => {
  it('rejects reserved bits and granularity 0', () => {
    expect(status([0x11n | (1n << 12n), 0n])).toBe('rejected');
    expect(status([0x11n, 1n])).toBe('rejected');
    expect(status([0x11n | (1n << 50n), 0n])).toBe('rejected');
    expect(status([0x01n, 0n])).toBe('rejected');
  });

  it('runs the global PASID replay for global and domain-selective invalidations', () => {
    for (const g of [1, 2] as const) {
      const b = new ScenarioBuilder().device('00:01.0').cc(g, { did: 9 });
      const [s] = b.run().steps;
      expect(s?.status).toBe('processed');
      expect(s?.pcInfo).toBeUndefined();
      expect(s?.changes).toEqual([
        { cache: 'emulated', bdf: '00:01.0', pasid: 0, kind: 'created' },
        { cache: 'accel', bdf: '00:01.0', pasid: 0, kind: 'created' },
      ]);
    }
  });

  it('is accepted in a 128-bit queue', () => {
    expect(status([0x11n, 0n], { queueWidth: 128 })).toBe('processed');
  });
});

describe("other descriptor types: QEMU's own checks, no cache effect", () => {
  const did = 5n << 16n;
  const pasid = 9n << 32n;
  it.each([
    // Linux's domain-selective IOTLB flush with drain read / write.
    ['iotlb DSI', [0x22n | 0xc0n | did, 0n, 0n, 0n], 'processed'],
    ['iotlb global', [0x12n, 0n, 0n, 0n], 'processed'],
    ['iotlb page, am 18', [0x32n | did, 0x1000n | 18n, 0n, 0n], 'processed'],
    ['iotlb page, am 19', [0x32n | did, 0x1000n | 19n, 0n, 0n], 'rejected'],
    ['iotlb granularity 0', [0x02n | did, 0n, 0n, 0n], 'rejected'],
    ['iotlb reserved bit 8', [0x22n | 0x100n, 0n, 0n, 0n], 'rejected'],
    ['iotlb reserved hi bit 7', [0x22n, 0x80n, 0n, 0n], 'rejected'],
    ['device-TLB', [0x03n | (0x0008n << 32n), 0x1000n, 0n, 0n], 'processed'],
    ['device-TLB reserved PFSID bits', [0x03n | (1n << 12n), 0n, 0n, 0n], 'rejected'],
    ['iec global', [0x14n, 0n, 0n, 0n], 'processed'],
    ['iec reserved hi', [0x14n, 1n, 0n, 0n], 'rejected'],
    // Linux's PASID-IOTLB "all in PASID" flush.
    ['p-iotlb all in PASID', [0x26n | did | pasid, 0n, 0n, 0n], 'processed'],
    ['p-iotlb page', [0x36n | did | pasid, 0x2000n | 3n, 0n, 0n], 'processed'],
    ['p-iotlb granularity 0', [0x06n | did | pasid, 0n, 0n, 0n], 'rejected'],
    ['p-iotlb granularity 1', [0x16n | did | pasid, 0n, 0n, 0n], 'rejected'],
    ['p-iotlb page, am 19', [0x36n | did, 19n, 0n, 0n], 'rejected'],
    ['p-iotlb val[3]', [0x26n | did, 0n, 0n, 1n], 'rejected'],
    ['PASID device-TLB', [0x08n | (0x0008n << 16n) | pasid, 0x1000n, 0n, 0n], 'processed'],
    ['PASID device-TLB reserved bit 12', [0x08n | (1n << 12n), 0n, 0n, 0n], 'rejected'],
    ['page group response', [0x19n | pasid, 0n, 5n, 0n], 'processed'],
    ['page group response without PASID', [0x09n, 0n, 0n, 0n], 'rejected'],
    ['page group response reserved', [0x19n | (1n << 60n), 0n, 0n, 0n], 'rejected'],
    ['type 10', [0x0an, 0n, 0n, 0n], 'rejected'],
    ['type 0', [0x00n, 0n, 0n, 0n], 'rejected'],
  ])('%s: %s', (_name, desc, expected) => {
    const [r] = runDescs([desc]);
    expect(r?.status).toBe(expected);
    if (expected === 'processed') expect(r?.changes).toEqual([]);
  });

  it('refuses the 256-bit-only PASID-IOTLB and PASID device-TLB in a 128-bit queue', () => {
    const [a, b2] = runDescs(
      [
        [0x26n | did, 0n],
        [0x08n, 0n],
      ],
      { queueWidth: 128 },
    );
    expect(a?.error).toMatch(/128-bit/);
    expect(b2?.status).toBe('blocked');
    const [c] = runDescs([[0x08n, 0n]], { queueWidth: 128 });
    expect(c?.status).toBe('rejected');
  });

  it("checks a 128-bit queue's lo / hi only for the older types", () => {
    expect(status([0x22n | did, 0n, 5n, 5n], { queueWidth: 128 })).toBe('processed');
    expect(status([0x22n | did, 0n, 5n, 5n], { queueWidth: 256 })).toBe('rejected');
  });

  it("names each step's descriptor type and reason", () => {
    const steps = runDescs([
      [0x22n | did, 0n, 0n, 0n],
      [0x0an, 0n],
    ]);
    expect(steps[0]?.descType).toBe('iotlb');
    expect(steps[1]?.descType).toBeUndefined();
  });

  it('records the rejection reason in the trace', () => {
    // PASID-IOTLB with granularity 0.
    const b = new ScenarioBuilder().device('00:01.0').invalidate([0x06n, 0n]);
    const m = new PasidScopeMachine(b.build());
    m.runAll();
    const t = m.trace();
    const i = [...t.kind.subarray(0, t.length)].indexOf(TraceKind.DescRejected);
    expect(t.a[i]).toBe(RejectReason.OtherDescGranularity);
  });
});
