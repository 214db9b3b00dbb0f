// The stepwise engine: one scenario's IOMMU state, advanced one step at a time. runScenario is a
// loop over it; the app and the benchmark use it directly to run one step without re-running the
// whole scenario, and to read large caches without materialising every entry as bigint words.

import { descriptorTypeCode, descriptorTypeName } from '../invalidation/descriptorType.ts';
import { GuestMemory } from '../memory/guestMemory.ts';
import { AccelPasidCacheList } from '../qemu/accelPasidCacheList.ts';
import { vtdCapInit } from '../qemu/vtdCapInit.ts';
import type { VtdCaps } from '../qemu/vtdCapInit.ts';
import { vtdProcessInvDesc } from '../qemu/vtdInvalidationQueue.ts';
import { HostFaultPlan, HostOpLog, IommufdHostDevice } from '../qemu/iommufdHost.ts';
import { ChangeLog, createScratch } from '../qemu/vtdState.ts';
import type { AccelDevice, EmulatedAddressSpace, VtdState } from '../qemu/vtdState.ts';
import type { Scenario, ScenarioStep, Variant } from '../scenario/scenarioTypes.ts';
import { TraceBuilder } from '../trace/traceBuilder.ts';
import { emitDescBlocked, emitStepClearIqe, emitStepWrite } from '../trace/traceEmitters.ts';
import type { Trace } from '../trace/traceFormat.ts';
import type {
  AccelCacheEntry,
  CacheEntryColumns,
  CacheState,
  ChangeColumns,
  EmulatedCacheEntry,
  HostDeviceState,
  StepResult,
} from './runTypes.ts';

export interface MachineOptions {
  /** Overrides the scenario's variant. */
  readonly variant?: Variant;
  /**
   * Materialise at most this many CacheChange objects per StepResult; the rest are counted in
   * `changesOmitted`. Default: all (what the contract JSON needs).
   */
  readonly maxChangesPerStep?: number;
  /**
   * Initial guest memory to use instead of building it from scenario.memory (it is cloned, so
   * the caller's copy never changes). For callers that already hold it, e.g. large generated
   * scenarios.
   */
  readonly initialMemory?: GuestMemory;
}

/** Halves (lo, hi per word) to 8 bigint words. */
export function wordsFromHalves(src: Uint32Array, off = 0): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < 8; i++) {
    out.push((BigInt(src[off + 2 * i + 1] ?? 0) << 32n) | BigInt(src[off + 2 * i] ?? 0));
  }
  return out;
}

export class PasidScopeMachine {
  readonly scenario: Scenario;
  readonly variant: Variant;
  readonly caps: VtdCaps;
  private readonly st: VtdState;
  private readonly maxChanges: number;
  private nextIndex = 0;

  constructor(scenario: Scenario, options: MachineOptions = {}) {
    this.scenario = scenario;
    this.variant = options.variant ?? scenario.variant;
    this.maxChanges = options.maxChangesPerStep ?? Infinity;
    this.caps = vtdCapInit(scenario.iommu);
    const bdfs = scenario.devices.map((d) => d.bdf);
    const addressSpaces: EmulatedAddressSpace[] = [];
    const accelDevices: AccelDevice[] = [];
    const hostOps = new HostOpLog(this.maxChanges);
    const hostFaults = new HostFaultPlan(
      (scenario.hostFaults ?? []).map((f) => ({
        step: f.step,
        device: bdfs.indexOf(f.bdf),
        pasid: f.pasid,
        op: f.op,
      })),
    );
    const hostByDevice: (IommufdHostDevice | undefined)[] = [];
    const trace = new TraceBuilder(bdfs);
    scenario.devices.forEach((d, device) => {
      // The PCI layer creates the PASID-0 address space of every device behind the vIOMMU;
      // emulated device models may have created more.
      const pasids = [0];
      if (d.backend === 'emulated') {
        for (const p of d.pasidAddressSpaces) if (!pasids.includes(p)) pasids.push(p);
      }
      for (const pasid of pasids) {
        addressSpaces.push({
          device,
          bus: d.bus,
          devfn: d.devfn,
          pasid,
          valid: false,
          entry: new Uint32Array(16),
        });
      }
      if (d.backend === 'iommufd') {
        const host = new IommufdHostDevice(device, d.bdf, hostOps, hostFaults, trace);
        hostByDevice[device] = host;
        accelDevices.push({
          device,
          bus: d.bus,
          devfn: d.devfn,
          maxPasidLog2: d.maxPasidLog2,
          list: new AccelPasidCacheList(),
          host,
        });
      }
    });
    this.st = {
      caps: this.caps,
      variant: this.variant,
      memory:
        options.initialMemory?.clone() ??
        GuestMemory.fromBlocks(scenario.iommu.guestRamBytes, scenario.memory),
      iqe: false,
      bdfs,
      addressSpaces,
      accelDevices,
      trace,
      changes: new ChangeLog(),
      counts: { dirReads: 0, entryReads: 0, listCompares: 0 },
      scratch: createScratch(),
      hostOps,
      hostFaults,
      hostByDevice,
    };
  }

  /** Index of the next step to apply (= steps applied so far). */
  get stepIndex(): number {
    return this.nextIndex;
  }

  /** FSTS.IQE */
  get iqe(): boolean {
    return this.st.iqe;
  }

  /** Applies the scenario's next step; undefined when all have run. */
  applyNext(): StepResult | undefined {
    const step = this.scenario.steps[this.nextIndex];
    return step ? this.applyStep(step) : undefined;
  }

  /** Applies every remaining scenario step. */
  runAll(): StepResult[] {
    const out: StepResult[] = [];
    for (let r = this.applyNext(); r; r = this.applyNext()) out.push(r);
    return out;
  }

  /** Applies one step (the scenario's or any other) as the next step. */
  applyStep(step: ScenarioStep): StepResult {
    const st = this.st;
    const index = this.nextIndex++;
    st.trace.beginStep();
    st.changes.reset();
    st.counts.dirReads = 0;
    st.counts.entryReads = 0;
    st.counts.listCompares = 0;
    st.hostOps.reset();
    st.hostFaults.beginStep(index);
    const result = this.runStep(st, step, index);
    // Only steps that called the host carry hostOps (absent reads as empty).
    const total = st.hostOps.length;
    if (total === 0) return result;
    const hostOps = st.hostOps.take();
    return {
      ...result,
      ...(hostOps.length ? { hostOps } : {}),
      ...(hostOps.length < total ? { hostOpsOmitted: total - hostOps.length } : {}),
    };
  }

  private runStep(st: VtdState, step: ScenarioStep, index: number): StepResult {
    switch (step.op) {
      case 'write':
        st.memory.writeQwords(step.addr, step.qwords);
        emitStepWrite(st.trace, { addr: step.addr, qwords: step.qwords.length });
        return { index, op: 'write', status: 'applied', changes: [] };
      case 'clearIqe':
        st.iqe = false;
        emitStepClearIqe(st.trace);
        return { index, op: 'clearIqe', status: 'applied', changes: [] };
      case 'invalidate': {
        if (st.iqe) {
          emitDescBlocked(st.trace);
          const descType = descriptorTypeName(descriptorTypeCode(step.desc[0] ?? 0n));
          return {
            index,
            op: 'invalidate',
            status: 'blocked',
            ...(descType ? { descType } : {}),
            changes: [],
          };
        }
        const r = vtdProcessInvDesc(st, step.desc);
        if (r.rejection) {
          st.iqe = true;
          return {
            index,
            op: 'invalidate',
            status: 'rejected',
            error: r.rejection.message,
            ...(r.descType ? { descType: r.descType } : {}),
            changes: [],
          };
        }
        const total = st.changes.length;
        const changes = st.changes.materialize(st.bdfs, this.maxChanges);
        return {
          index,
          op: 'invalidate',
          status: 'processed',
          ...(r.descType ? { descType: r.descType } : {}),
          ...(r.pcInfo ? { pcInfo: r.pcInfo } : {}),
          accelWalk: {
            dirReads: st.counts.dirReads,
            entryReads: st.counts.entryReads,
            listCompares: st.counts.listCompares,
          },
          changes,
          ...(changes.length < total ? { changesOmitted: total - changes.length } : {}),
        };
      }
    }
  }

  /** Live entries in a device's accel list (0 for a device that has none). */
  accelEntryCount(bdf: string): number {
    return this.accelDevice(bdf)?.list.length ?? 0;
  }

  /** Part of a device's accel list, head first, as contract entries. */
  accelEntries(bdf: string, offset = 0, limit = Infinity): AccelCacheEntry[] {
    const dev = this.accelDevice(bdf);
    const out: AccelCacheEntry[] = [];
    if (!dev) return out;
    const list = dev.list;
    let i = 0;
    for (let slot = list.head; slot >= 0 && out.length < limit; slot = list.next(slot), i++) {
      if (i < offset) continue;
      out.push({
        pasid: list.pasidAt(slot),
        entry: wordsFromHalves(list.wordStore(slot), list.wordOffset(slot)),
      });
    }
    return out;
  }

  /** A device's whole accel list, head first, as columns (typed arrays, no bigint). */
  accelEntryColumns(bdf: string): CacheEntryColumns {
    const list = this.accelDevice(bdf)?.list;
    const n = list?.length ?? 0;
    const pasid = new Uint32Array(n);
    const halves = new Uint32Array(16 * n);
    if (list) {
      let i = 0;
      for (let slot = list.head; slot >= 0 && i < n; slot = list.next(slot), i++) {
        pasid[i] = list.pasidAt(slot);
        const off = list.wordOffset(slot);
        halves.set(list.wordStore(slot).subarray(off, off + 16), 16 * i);
      }
    }
    return { length: n, pasid, halves };
  }

  /** Every cache change of the last applied step as columns (not capped by maxChangesPerStep). */
  stepChanges(): ChangeColumns {
    return this.st.changes.columns();
  }

  private accelDevice(bdf: string): AccelDevice | undefined {
    return this.st.accelDevices.find((d) => this.st.bdfs[d.device] === bdf);
  }

  /** Both caches, the host side and FSTS.IQE, fully materialised. */
  caches(): CacheState {
    const st = this.st;
    const accel: Record<string, readonly AccelCacheEntry[]> = {};
    for (const dev of st.accelDevices) {
      const bdf = st.bdfs[dev.device] ?? '';
      accel[bdf] = this.accelEntries(bdf);
    }
    return { iqe: st.iqe, accel, emulated: this.emulatedEntries(), host: this.hostStates() };
  }

  /**
   * Every iommufd device's host side: attachments and the objects QEMU has not freed (at most
   * `limit` of each per device; `totals` then counts them all).
   */
  hostStates(limit = Infinity): Record<string, HostDeviceState> {
    const host: Record<string, HostDeviceState> = {};
    for (const dev of this.st.accelDevices) {
      const list = dev.list;
      const cached: number[] = [];
      for (let slot = list.head; slot >= 0; slot = list.next(slot)) cached.push(list.pasidAt(slot));
      host[this.st.bdfs[dev.device] ?? ''] = dev.host.state(cached, limit);
    }
    return host;
  }

  /** Every address space's VTDPASIDCacheEntry, per device and PASID (without the accel lists). */
  emulatedEntries(): CacheState['emulated'] {
    const st = this.st;
    const emulated: Record<string, Record<string, EmulatedCacheEntry>> = {};
    for (const as of st.addressSpaces) {
      const bdf = st.bdfs[as.device] ?? '';
      const perDevice = (emulated[bdf] ??= {});
      perDevice[String(as.pasid)] = { valid: as.valid, entry: wordsFromHalves(as.entry) };
    }
    return emulated;
  }

  /** The trace so far, as fresh typed arrays (transferable to another thread). */
  trace(): Trace {
    return this.st.trace.snapshot();
  }

  /** Guest memory as it is now (a copy-on-write clone: later steps do not change it). */
  memory(): GuestMemory {
    return this.st.memory.clone();
  }
}
