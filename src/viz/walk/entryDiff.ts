// What changed between two 512-bit PASID entries, field by field, for the "updated" visual and the
// explanation ("DID 3 → 5").

import { PASID_ENTRY, PGTT_NAMES, fieldDisplayValue } from '../../model/core.ts';
import { hex, word64 } from '../format.ts';

/** Changed fields between two PASID entries, as "DID 3 → 5" lines (raw words when no field). */
export function entryDiff(before: readonly bigint[], after: readonly bigint[]): string[] {
  const lines: string[] = [];
  for (const f of PASID_ENTRY.fields) {
    const b = fieldDisplayValue(before, f);
    const a = fieldDisplayValue(after, f);
    if (a === b) continue;
    const show = (v: bigint): string =>
      f.kind === 'enum'
        ? (PGTT_NAMES[Number(v)] ?? v.toString())
        : f.kind === 'address'
          ? hex(v)
          : v.toString();
    lines.push(`${f.label} ${show(b)} → ${show(a)}`);
  }
  if (lines.length === 0) {
    for (let w = 0; w < Math.max(before.length, after.length); w++) {
      const b = before[w] ?? 0n;
      const a = after[w] ?? 0n;
      if (a !== b) lines.push(`val[${w.toString()}] ${word64(b)} → ${word64(a)}`);
    }
  }
  return lines;
}
