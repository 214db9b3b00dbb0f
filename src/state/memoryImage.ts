// Guest memory as the views see it at a scenario step: the scenario's initial memory with the write
// steps before that step applied. Derived data, rebuilt from the scenario's raw words (never edited),
// on the model's own GuestMemory (copy-on-write pages), so an edit of one entry in a scenario with
// 10^5 PASID entries copies one page, not the guest.

import {
  DescType,
  GuestMemory,
  descriptorTypeCode,
  memoryAtStep as modelMemoryAtStep,
  type MemoryBlock,
  type Scenario,
  type ScenarioStep,
} from '../model/core.ts';
import { memoryFromPages } from '../shared/memoryPages.ts';
import type { MemoryPages } from '../worker/protocol.ts';

export interface MemoryImage {
  /** The 64-bit word at a byte address; 0 where nothing was written (RAM limits not applied). */
  read(addr: bigint): bigint;
  /** `count` consecutive words from `addr`. */
  readWords(addr: bigint, count: number): bigint[];
  /** Same as read: lets the image stand in wherever a `{ readQword }` view is expected. */
  readQword(addr: bigint): bigint;
  /** The model's memory object (for model lookups that run on the main thread). */
  readonly guest: GuestMemory;
}

class Image implements MemoryImage {
  readonly guest: GuestMemory;
  constructor(guest: GuestMemory) {
    this.guest = guest;
  }
  read(addr: bigint): bigint {
    return this.guest.readQword(addr);
  }
  readQword(addr: bigint): bigint {
    return this.guest.readQword(addr);
  }
  readWords(addr: bigint, count: number): bigint[] {
    const out = new Array<bigint>(count);
    for (let i = 0; i < count; i++) out[i] = this.guest.readQword(addr + BigInt(i * 8));
    return out;
  }
}

/** Wait descriptors with SW set may write guest memory (the status write); nothing else but `write`
 * steps does. */
function mayWriteStatus(step: ScenarioStep | undefined): boolean {
  return (
    step?.op === 'invalidate' &&
    descriptorTypeCode(step.desc[0] ?? 0n) === DescType.Wait &&
    ((step.desc[0] ?? 0n) & 0x20n) !== 0n
  );
}

// Cached per memory-block list (+ RAM size) and per scenario, so an edit (a new scenario object that
// shares its initial memory with the previous one) only replays the write steps on a clone.
const baseCache = new WeakMap<readonly MemoryBlock[], Map<bigint, GuestMemory>>();
const stepCache = new WeakMap<Scenario, Map<number, MemoryImage>>();

function baseMemory(scenario: Scenario): GuestMemory {
  let byRam = baseCache.get(scenario.memory);
  if (!byRam) {
    byRam = new Map();
    baseCache.set(scenario.memory, byRam);
  }
  const ram = scenario.iommu.guestRamBytes;
  let mem = byRam.get(ram);
  if (!mem) {
    mem = GuestMemory.fromBlocks(ram, scenario.memory);
    byRam.set(ram, mem);
  }
  return mem;
}

/** Uses memory the worker already built for this scenario's initial memory (a large scenario's,
 * handed over with the parsed scenario) instead of building it again on the page. */
export function adoptInitialMemory(scenario: Scenario, pages: MemoryPages | undefined): void {
  if (!pages || pages.ramBytes !== scenario.iommu.guestRamBytes) return;
  let byRam = baseCache.get(scenario.memory);
  if (!byRam) {
    byRam = new Map();
    baseCache.set(scenario.memory, byRam);
  }
  if (!byRam.has(pages.ramBytes)) byRam.set(pages.ramBytes, memoryFromPages(pages));
}

/** Guest memory as it is before step `step` runs (`steps.length` = after the last step). */
export function memoryAtStep(scenario: Scenario, step: number): MemoryImage {
  const at = Math.max(0, Math.min(Math.trunc(step), scenario.steps.length));
  let perStep = stepCache.get(scenario);
  if (!perStep) {
    perStep = new Map();
    stepCache.set(scenario, perStep);
  }
  const hit = perStep.get(at);
  if (hit) return hit;
  let writes = false;
  let statusWrites = false;
  for (let i = 0; i < at; i++) {
    const step = scenario.steps[i];
    if (step?.op === 'write') writes = true;
    else if (mayWriteStatus(step)) statusWrites = true;
  }
  if (statusWrites) {
    // Whether a status write happened depends on the queue (IQE, checks): the model decides.
    const image = new Image(modelMemoryAtStep(scenario, at));
    perStep.set(at, image);
    return image;
  }
  const base = baseMemory(scenario);
  let mem = base;
  if (writes) {
    mem = base.clone();
    for (let i = 0; i < at; i++) {
      const s = scenario.steps[i];
      if (s?.op === 'write') mem.writeQwords(s.addr, s.qwords);
    }
  }
  const image = new Image(mem);
  perStep.set(at, image);
  return image;
}

/** Guest memory after the scenario's last step: what the structure browser shows. */
export function currentMemory(scenario: Scenario): MemoryImage {
  return memoryAtStep(scenario, scenario.steps.length);
}
