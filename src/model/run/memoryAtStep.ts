// Guest memory as a trace event of step k saw it: the initial memory, every write step before k,
// and the status writes of the wait descriptors QEMU processed before k. Which descriptors were
// processed depends only on the configuration and the descriptors themselves (never on cache
// contents), so this replays the queue state without running the caches.

import { vtdCapInit } from '../qemu/vtdCapInit.ts';
import { descriptorWords, vtdInvDescCheck, waitStatusWrite } from '../qemu/vtdInvalidationQueue.ts';
import { descriptorTypeCode, DescType } from '../invalidation/descriptorType.ts';
import type { Scenario } from '../scenario/scenarioTypes.ts';
import { GuestMemory } from '../memory/guestMemory.ts';

export function memoryAtStep(scenario: Scenario, stepIndex: number): GuestMemory {
  const caps = vtdCapInit(scenario.iommu);
  const mem = GuestMemory.fromBlocks(scenario.iommu.guestRamBytes, scenario.memory);
  let iqe = false;
  const end = Math.min(stepIndex, scenario.steps.length);
  for (let i = 0; i < end; i++) {
    const step = scenario.steps[i];
    if (!step) break;
    switch (step.op) {
      case 'write':
        mem.writeQwords(step.addr, step.qwords);
        break;
      case 'clearIqe':
        iqe = false;
        break;
      case 'invalidate': {
        if (iqe) break;
        const v = descriptorWords(caps, step.desc);
        if (vtdInvDescCheck(caps, v)) {
          iqe = true;
          break;
        }
        if (descriptorTypeCode(v[0]) === DescType.Wait) {
          const w = waitStatusWrite(v);
          if (w && !mem.dmaWrite32(w.addr, w.data)) iqe = true;
        }
        break;
      }
    }
  }
  return mem;
}
