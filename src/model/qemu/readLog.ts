// The guest reads one bounded lookup made (root, context, PASID-0 check, directory, leaf), kept in
// fixed scratch arrays so that the lookup code stays allocation-free; the caller turns them into
// GuestRead trace events when it wants them.

import { QemuFn, Structure } from '../trace/traceFormat.ts';

const CAPACITY = 8;

export class ReadLog {
  n = 0;
  readonly structure = new Uint8Array(CAPACITY);
  readonly fn = new Uint8Array(CAPACITY);
  readonly hi = new Uint32Array(CAPACITY);
  readonly lo = new Uint32Array(CAPACITY);
  readonly bytes = new Uint8Array(CAPACITY);
  readonly fault = new Uint8Array(CAPACITY);
  readonly pasid = new Uint32Array(CAPACITY);
  /** While set, reads are attributed to vtd_ce_pasid_0_check. */
  inPasid0Check = false;
  /** The leaf entry address of the lookup's own PASID, when it was read. */
  leafReached = false;
  leafHi = 0;
  leafLo = 0;

  reset(): void {
    this.n = 0;
    this.inPasid0Check = false;
    this.leafReached = false;
  }

  add(
    structure: Structure,
    fn: QemuFn,
    hi: number,
    lo: number,
    bytes: number,
    fault: number,
    pasid: number,
  ): void {
    if (this.n >= CAPACITY) return;
    const i = this.n++;
    this.structure[i] = structure;
    this.fn[i] = this.inPasid0Check ? QemuFn.vtd_ce_pasid_0_check : fn;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.bytes[i] = bytes;
    this.fault[i] = fault;
    this.pasid[i] = pasid;
    if (structure === Structure.PasidEntry && !this.inPasid0Check) {
      this.leafReached = true;
      this.leafHi = hi;
      this.leafLo = lo;
    }
  }
}
