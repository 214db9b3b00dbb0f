import { describe, expect, it } from 'vitest';
import { QEMU_FUNCTIONS, QemuFn, TraceKind } from './traceFormat.ts';

describe('trace format', () => {
  it('names a QEMU function for every function id', () => {
    for (const id of Object.values(QemuFn)) {
      expect(QEMU_FUNCTIONS[id].name).toBe(Object.entries(QemuFn).find(([, v]) => v === id)?.[0]);
    }
  });
  it('gives every kind a distinct code that fits a Uint8Array', () => {
    const codes = Object.values(TraceKind);
    expect(new Set(codes).size).toBe(codes.length);
    expect(Math.max(...codes)).toBeLessThan(256);
  });
});
