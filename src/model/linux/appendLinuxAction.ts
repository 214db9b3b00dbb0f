// A Linux driver action appended to a scenario, as plain steps (what the app's "Linux action" menu
// does): the driver reads guest memory as it is after the last step and takes free pages for the
// tables it allocates.

import { DescType, descriptorTypeCode } from '../invalidation/descriptorType.ts';
import { memoryAtStep } from '../run/memoryAtStep.ts';
import { PAGE_SHIFT } from '../memory/guestMemory.ts';
import { vtdCapInit } from '../qemu/vtdCapInit.ts';
import { PageAllocator } from '../scenario/pageAllocator.ts';
import type { Scenario, ScenarioStep } from '../scenario/scenarioTypes.ts';
import type { LinuxAction, LinuxActionOptions, LinuxGuest } from './linuxActions.ts';
import { linuxActionSteps } from './linuxActions.ts';

const PAGE = 0x1000n;
const SW_FLAG = 0x20n;

/** The status address of the last wait descriptor that asks for a status write, if any. */
export function lastWaitStatusAddr(steps: readonly ScenarioStep[]): bigint | undefined {
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i];
    if (s?.op !== 'invalidate') continue;
    const v0 = s.desc[0] ?? 0n;
    if (descriptorTypeCode(v0) === DescType.Wait && (v0 & SW_FLAG) !== 0n)
      return (s.desc[1] ?? 0n) & ~3n;
  }
  return undefined;
}

export type AppendLinuxActionResult =
  | { readonly ok: true; readonly scenario: Scenario; readonly added: number }
  | { readonly ok: false; readonly message: string };

export interface AppendLinuxOptions {
  readonly flavour: LinuxActionOptions['flavour'];
  readonly cachingMode: boolean;
  /** Default: the last wait descriptor's status address, else a page of its own. */
  readonly statusAddr?: bigint;
}

export function appendLinuxAction(
  scenario: Scenario,
  action: LinuxAction,
  options: AppendLinuxOptions,
): AppendLinuxActionResult {
  const mem = memoryAtStep(scenario, scenario.steps.length);
  const rootTable = vtdCapInit(scenario.iommu).rootTable;
  const alloc = new PageAllocator(scenario.iommu.guestRamBytes, rootTable + PAGE);
  alloc.reserve(rootTable, PAGE);
  for (const [page] of mem.pageEntries()) alloc.reserve(BigInt(page) << BigInt(PAGE_SHIFT), PAGE);
  if (action.kind === 'setupPasid' && action.pageTable !== 0n)
    alloc.reserve(action.pageTable, PAGE);
  const statusAddr =
    options.statusAddr ?? lastWaitStatusAddr(scenario.steps) ?? alloc.allocate(PAGE);
  if (statusAddr === undefined)
    return { ok: false, message: 'no free guest RAM for the wait descriptors’ status word' };
  alloc.reserve(statusAddr, 4n);
  const guest: LinuxGuest = {
    rootTable,
    awBits: scenario.iommu.awBits,
    scalableMode: scenario.iommu.scalableMode,
    devices: scenario.devices,
    readQword: (addr) => mem.readQword(addr),
    allocate: (bytes) => alloc.allocate(bytes),
  };
  const r = linuxActionSteps(guest, action, { ...options, statusAddr });
  if (!r.ok) return r;
  return {
    ok: true,
    scenario: { ...scenario, steps: [...scenario.steps, ...r.steps] },
    added: r.steps.length,
  };
}
