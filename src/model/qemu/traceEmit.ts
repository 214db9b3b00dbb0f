// Turns a bounded lookup's ReadLog into GuestRead trace events.

import { TraceKind } from '../trace/traceFormat.ts';
import type { QemuFn } from '../trace/traceFormat.ts';
import type { ReadLog } from './readLog.ts';
import type { TraceBuilder } from '../trace/traceBuilder.ts';

export function emitReads(trace: TraceBuilder, device: number, log: ReadLog): void {
  for (let i = 0; i < log.n; i++) {
    trace.push(
      TraceKind.GuestRead,
      (log.fn[i] ?? 0) as QemuFn,
      device,
      log.pasid[i] ?? 0,
      1,
      log.hi[i] ?? 0,
      log.lo[i] ?? 0,
      log.structure[i] ?? 0,
      log.bytes[i] ?? 0,
      log.fault[i] ?? 0,
    );
  }
}
