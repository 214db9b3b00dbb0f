// The PASID-IOTLB composer's words: its address check and what QEMU makes of the descriptor.

import { PIOTLB_MAX_AM, decodePiotlbFields } from '../../model/core.ts';
import { parseHexText, type Parsed } from '../common/numberText.ts';

/** A first address: hex, and 4 KiB aligned (bits 11:0 of val[1] hold IH and AM). */
export function parsePiotlbAddr(text: string): Parsed<bigint> {
  const parsed = parseHexText(text, 64);
  if (!parsed.ok) return parsed;
  if (parsed.value & 0xfffn) {
    return {
      ok: false,
      error: `The address must be 4 KiB aligned (bits 11:0 hold IH and AM), e.g. 0x${(parsed.value & ~0xfffn).toString(16)}.`,
    };
  }
  return parsed;
}

/** What QEMU makes of the words: the decode, then where it sends the invalidation. */
export function piotlbMeaning(words: readonly bigint[], queueWidth: 128 | 256): string[] {
  const f = decodePiotlbFields(words);
  const lines: string[] = [];
  if (queueWidth === 128) {
    lines.push('Refused: a PASID-IOTLB descriptor is 256-bit and the queue is 128-bit (IQE).');
  }
  if (f.granularity === 3) {
    const pages = 1n << BigInt(f.am);
    lines.push(
      f.am > PIOTLB_MAX_AM
        ? `Refused: address mask ${f.am.toString()} is above ${PIOTLB_MAX_AM.toString()} (IQE).`
        : `Page selective: DID ${f.did.toString()}, PASID ${f.pasid.toString()}, from 0x${f.addr.toString(16)}, ${pages.toString()} page${pages === 1n ? '' : 's'}${f.ih ? ', leaf only (IH)' : ''}.`,
    );
  } else {
    lines.push(
      `All of PASID ${f.pasid.toString()} in DID ${f.did.toString()}: address 0, every page, no hint.`,
    );
  }
  lines.push(
    `Forwarded to the host (iommufd_backend_invalidate_cache) for every cached first-stage entry with DID ${f.did.toString()} and PASID ${f.pasid.toString()} (the seed: PASID 0 only).`,
  );
  return lines;
}
