import type { BitField } from '../../model/index.ts';

/** "15:0" for a field's bits within its word ("7" for one bit). */
export function bitRange(f: BitField): string {
  const hi = f.lo + f.width - 1;
  return f.width === 1 ? `${f.lo}` : `${hi}:${f.lo}`;
}
