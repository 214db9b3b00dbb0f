// Turns a bounded lookup's ReadLog into GuestRead trace events.

import type { QemuFn, Structure } from '../trace/traceFormat.ts';
import { emitGuestRead } from '../trace/traceEmitters.ts';
import type { ReadLog } from './readLog.ts';
import type { TraceBuilder } from '../trace/traceBuilder.ts';

export function emitReads(trace: TraceBuilder, device: number, log: ReadLog): void {
  for (let i = 0; i < log.n; i++) {
    emitGuestRead(trace, {
      fn: (log.fn[i] ?? 0) as QemuFn,
      device,
      pasid: log.pasid[i] ?? 0,
      addrHi: log.hi[i] ?? 0,
      addrLo: log.lo[i] ?? 0,
      structure: (log.structure[i] ?? 0) as Structure,
      bytes: log.bytes[i] ?? 0,
      fault: log.fault[i] ?? 0,
    });
  }
}
