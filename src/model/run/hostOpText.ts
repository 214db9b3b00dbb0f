// One host call in words, the same everywhere it is shown (CLI summary, variant comparison, app).

import { HostCallOp } from '../trace/traceFormat.ts';
import type { TraceEventOf } from '../trace/traceReader.ts';
import type { HostDeviceState, HostOp } from './runTypes.ts';

type HostCall = TraceEventOf<'HostCall'>;

function flagNames(bits: number, names: readonly (readonly [number, string])[]): string {
  const on = names.filter(([bit]) => bits & bit).map(([, name]) => name);
  return on.length ? on.join('|') : '0';
}

const ALLOC_FLAGS = [
  [8, 'PASID'],
  [4, 'FAULT_ID_VALID'],
] as const;
const S1_FLAGS = [
  [1, 'SRE'],
  [2, 'EAFE'],
  [4, 'WPE'],
] as const;

function shortHex(hex: string): string {
  return `0x${BigInt(hex).toString(16)}`;
}

/** "attach 00:02.0 pasid 5 -> hwpt 3", with " FAILED" when QEMU saw an error. */
export function describeHostOp(op: HostOp): string {
  const head = `${op.op} ${op.bdf} pasid ${op.pasid}`;
  const failed = op.ok ? '' : ' FAILED';
  switch (op.op) {
    case 'faultq':
      return `${head} -> ${op.ok ? `fault queue ${op.id}` : 'no fault queue'}${failed}`;
    case 'alloc':
      return (
        `${head} -> ${op.ok ? `hwpt ${op.hwpt}` : 'no hwpt'} (nested first stage, page table ` +
        `${shortHex(op.pgtblAddr)}, flags ${flagNames(op.flags, ALLOC_FLAGS)}, s1 ` +
        `${flagNames(op.s1Flags, S1_FLAGS)}, ${op.addrWidth}-bit${op.faultId ? `, fault queue ${op.faultId}` : ''})${failed}`
      );
    case 'attach':
      return `${head} -> hwpt ${op.hwpt}${failed}`;
    case 'detach':
      return `${head}${failed}`;
    case 'free':
      return `${head}: id ${op.id}`;
    case 'invalidate': {
      const all = op.npages === '0xffffffffffffffff';
      const range = all ? 'all pages' : `${BigInt(op.npages)} page(s) at ${shortHex(op.addr)}`;
      return `${head} hwpt ${op.hwpt}: ${range}${op.flags & 1 ? ', leaf only' : ''}${failed}`;
    }
  }
}

/** final.host of one device in one line: "attached 0->1 5->3; objects hwpt 3 (pasid 5, leaked)". */
export function describeHostState(state: HostDeviceState): string {
  const attached = Object.entries(state.attached)
    .map(([pasid, hwpt]) => `${pasid}->${hwpt}`)
    .join(' ');
  const objects = state.objects
    .map(
      (o) =>
        `${o.type === 'hwpt' ? 'hwpt' : 'fault queue'} ${o.id} (pasid ${o.pasid}${o.leaked ? ', LEAKED' : ''})`,
    )
    .join(', ');
  return `attached ${attached || '(nothing)'}; objects ${objects || '(none)'}`;
}

/** A HostCall trace event in one line (the CLI's trace listing). */
function hexAddr(v: bigint): string {
  return `0x${v.toString(16)}`;
}

export function hostCallLine(ev: HostCall, bdf: string): string {
  const failed = ev.ok ? '' : ' FAILED';
  switch (ev.op) {
    case HostCallOp.Faultq:
      return `${bdf}: host alloc fault queue for pasid ${ev.pasid} -> ${ev.ok ? `id ${ev.id}` : 'none'}${failed}`;
    case HostCallOp.Alloc:
      return `${bdf}: host alloc nested first-stage hwpt for pasid ${ev.pasid} (page table ${hexAddr(ev.addr)}) -> ${ev.ok ? `hwpt ${ev.id}` : 'none'}${failed}`;
    case HostCallOp.Attach:
      return `${bdf}: host attach pasid ${ev.pasid} to hwpt ${ev.id}${failed}`;
    case HostCallOp.Detach:
      return `${bdf}: host detach pasid ${ev.pasid}${failed}`;
    case HostCallOp.Free:
      return `${bdf}: host free id ${ev.id} (pasid ${ev.pasid})`;
    case HostCallOp.Invalidate:
      return `${bdf}: host invalidate hwpt ${ev.id} for pasid ${ev.pasid}${ev.addr === 0xffff_ffff_ffff_ffffn ? '' : ` from ${hexAddr(ev.addr)}`}${failed}`;
    default:
      return `${bdf}: host call ${String(ev.op)}`;
  }
}
