// A HostCall trace event in words: what QEMU asked the host's iommufd, and, for a failure, what
// it leaves behind (host-side.md). The consequences are the point: none of them shows in a cache.

import { HostCallOp, QemuFn, type TraceEventOf } from '../../model/core.ts';

type HostCall = TraceEventOf<'HostCall'>;

function hexAddr(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** The explanation sentence and the consequence of a failure, for the step explanation pane. */
export function hostCallSentence(
  ev: HostCall,
  bdf: string,
): { sentence: string; details: string[] } {
  const details: string[] = [];
  const seed = ev.fn === QemuFn.vtd_propagate_guest_pasid;
  let sentence: string;
  switch (ev.op) {
    case HostCallOp.Faultq:
      sentence = ev.ok
        ? `svm and PRE: QEMU allocates fault queue ${ev.id} on the host for ${bdf} PASID ${ev.pasid}, so page requests reach the guest.`
        : `The host refuses the fault queue for ${bdf} PASID ${ev.pasid}: QEMU stops; the entry keeps its old binding.`;
      break;
    case HostCallOp.Alloc:
      sentence = ev.ok
        ? `vtd_create_fs_hwpt: a nested first-stage hwpt ${ev.id} is allocated under the nesting parent from the guest's page table at ${hexAddr(ev.addr)}.`
        : `The host refuses the nested hwpt for ${bdf} PASID ${ev.pasid}: nothing is attached; the entry keeps its old binding.`;
      if (seed)
        details.push(
          "The seed binds from the address space's CACHED copy: after a guest change this is the old table.",
        );
      break;
    case HostCallOp.Attach:
      if (ev.ok) {
        sentence =
          ev.id === 1
            ? `${bdf} PASID ${ev.pasid} is attached to hwpt 1, the nesting parent (GPA→HPA): pass-through.`
            : `${bdf} PASID ${ev.pasid} is attached to hwpt ${ev.id}: the device's DMA with this PASID now walks the guest's first-stage table.`;
      } else {
        sentence = `The host refuses to attach ${bdf} PASID ${ev.pasid} to hwpt ${ev.id}: entry cached, not bound: QEMU retries only when the guest entry changes.`;
        if (ev.pasid === 0)
          details.push(
            "PASID 0 stays on whatever it had, at first hwpt 1 (GPA→HPA): the device's DMA bypasses the guest's first-stage table.",
          );
        details.push(
          'A later PASID-IOTLB invalidation goes to the id QEMU recorded (0 for a new entry) and fails.',
        );
      }
      break;
    case HostCallOp.Detach:
      sentence = ev.ok
        ? `${bdf} PASID ${ev.pasid} is detached on the host: it has no page table any more.`
        : `The host refuses to detach ${bdf} PASID ${ev.pasid}: it stays bound on the host.`;
      if (!ev.ok && !seed)
        details.push(
          'QEMU frees the cache entry anyway: its hwpt (and fault queue, whose read handler stays registered with the freed entry) leak.',
        );
      if (!ev.ok && seed)
        details.push(
          'The seed keeps the hwpt id in the address space: the next successful attach frees it.',
        );
      break;
    case HostCallOp.Free:
      sentence = `QEMU frees host object ${ev.id} (${bdf} PASID ${ev.pasid}).`;
      break;
    case HostCallOp.Invalidate:
      sentence = ev.ok
        ? `The PASID-IOTLB invalidation is forwarded to hwpt ${ev.id} of ${bdf} PASID ${ev.pasid}.`
        : `The PASID-IOTLB invalidation for ${bdf} PASID ${ev.pasid} is sent to hwpt ${ev.id} and fails: the device's first-stage IOTLB is not flushed.`;
      break;
    default:
      sentence = `A host call for ${bdf} PASID ${ev.pasid}.`;
  }
  return { sentence, details };
}
