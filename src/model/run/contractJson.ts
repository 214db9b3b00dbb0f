// The JSON object of scenario-format.md "Headless run", built from a RunResult.

import type {
  AccelWalkCounts,
  CacheChange,
  HostDeviceState,
  HostOp,
  PcInfo,
  RunResult,
  StepResult,
} from './runTypes.ts';

export interface ContractStep {
  readonly index: number;
  readonly op: StepResult['op'];
  readonly status: StepResult['status'];
  readonly error?: string;
  readonly pcInfo?: PcInfo;
  readonly accelWalk?: AccelWalkCounts;
  readonly changes: readonly CacheChange[];
  readonly hostOps: readonly HostOp[];
}

export interface ContractJson {
  readonly variant: RunResult['variant'];
  readonly steps: readonly ContractStep[];
  readonly final: {
    readonly iqe: boolean;
    readonly accel: Readonly<
      Record<string, readonly { pasid: number; entry: readonly string[] }[]>
    >;
    readonly emulated: Readonly<
      Record<string, Readonly<Record<string, { valid: boolean; entry: readonly string[] }>>>
    >;
    readonly host: Readonly<Record<string, HostDeviceState>>;
  };
}

/** A 64-bit word as the contract writes it: "0x" and 16 lower-case hex digits. */
export function hex64(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;
}

function contractStep(s: StepResult): ContractStep {
  return {
    index: s.index,
    op: s.op,
    status: s.status,
    ...(s.error !== undefined ? { error: s.error } : {}),
    // pcInfo only on processed PASID-cache descriptors (the model sets it nowhere else).
    ...(s.pcInfo && s.status === 'processed'
      ? { pcInfo: { type: s.pcInfo.type, did: s.pcInfo.did, pasid: s.pcInfo.pasid } }
      : {}),
    ...(s.accelWalk
      ? {
          accelWalk: {
            dirReads: s.accelWalk.dirReads,
            entryReads: s.accelWalk.entryReads,
            listCompares: s.accelWalk.listCompares,
          },
        }
      : {}),
    changes: s.changes.map((c) => ({ cache: c.cache, bdf: c.bdf, pasid: c.pasid, kind: c.kind })),
    hostOps: (s.hostOps ?? []).map((op) => ({ ...op })),
  };
}

export function toContractJson(result: RunResult): ContractJson {
  const accel: Record<string, { pasid: number; entry: string[] }[]> = {};
  for (const [bdf, list] of Object.entries(result.final.accel)) {
    accel[bdf] = list.map((e) => ({ pasid: e.pasid, entry: e.entry.map(hex64) }));
  }
  const emulated: Record<string, Record<string, { valid: boolean; entry: string[] }>> = {};
  for (const [bdf, spaces] of Object.entries(result.final.emulated)) {
    const out: Record<string, { valid: boolean; entry: string[] }> = {};
    for (const [pasid, e] of Object.entries(spaces)) {
      out[pasid] = { valid: e.valid, entry: e.entry.map(hex64) };
    }
    emulated[bdf] = out;
  }
  return {
    variant: result.variant,
    steps: result.steps.map(contractStep),
    final: { iqe: result.final.iqe, accel, emulated, host: result.final.host ?? {} },
  };
}
