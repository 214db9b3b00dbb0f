// A 64-bit word drawn as its fields, bit 63 on the left: which bits are set, which are reserved.

import { getField, type StructureLayout } from '../../model/core.ts';
import { bitRange } from './bitRange.ts';

export function BitStrip({
  layout,
  word,
  words,
}: {
  layout: StructureLayout;
  word: number;
  words: readonly bigint[];
}) {
  const fields = layout.fields.filter((f) => f.word === word).sort((a, b) => b.lo - a.lo);
  const segments: { key: string; width: number; label: string; title: string; cls: string }[] = [];
  let next = 63;
  for (const f of fields) {
    const hi = f.lo + f.width - 1;
    if (hi < next) {
      segments.push({
        key: `gap${next}`,
        width: next - hi,
        label: '',
        title: `bits ${next}:${hi + 1}: not used`,
        cls: '',
      });
    }
    const v = getField(words, f);
    segments.push({
      key: f.name,
      width: f.width,
      label: f.width >= 3 ? f.label : '',
      title: `${f.label} [${bitRange(f)}] = 0x${v.toString(16)}`,
      cls: [v !== 0n ? 'set' : '', f.kind === 'reserved' ? 'rsvd' : ''].filter(Boolean).join(' '),
    });
    next = f.lo - 1;
  }
  if (next >= 0)
    segments.push({
      key: 'gap-low',
      width: next + 1,
      label: '',
      title: `bits ${next}:0: not used`,
      cls: '',
    });
  return (
    <div className="bitstrip" aria-hidden="true">
      {segments.map((s) => (
        <span
          key={s.key}
          className={s.cls}
          style={{ flexGrow: s.width, flexBasis: 0 }}
          title={s.title}
        >
          {s.label}
        </span>
      ))}
    </div>
  );
}
