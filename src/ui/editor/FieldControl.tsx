// One field of a structure, edited through the control its kind calls for. The value shown is decoded
// from the raw words; a change is encoded back into the words and handed up (the words stay the truth).

import { useId } from 'react';
import { fieldDisplayValue, setFieldFromDisplay, type BitField } from '../../model/core.ts';
import { DraftInput } from '../common/DraftInput.tsx';
import { HexInput, NumberInput } from '../common/inputs.tsx';
import { formatHex, parseHexText } from '../common/numberText.ts';
import { bitRange } from './bitRange.ts';

export interface FieldControlProps {
  readonly field: BitField;
  readonly words: readonly bigint[];
  readonly onWords: (words: readonly bigint[]) => void;
  /** Label text when the spec label alone is ambiguous (several "rsvd" fields). */
  readonly labelText: string;
}

export function FieldRow({ field, words, onWords, labelText }: FieldControlProps) {
  const id = useId();
  const value = fieldDisplayValue(words, field);
  const set = (v: bigint): void => onWords(setFieldFromDisplay(words, field, v));
  const reserved = field.kind === 'reserved';
  const flagged = reserved && value !== 0n;
  const rowClass = reserved ? `field-reserved${flagged ? ' set' : ''}` : undefined;
  return (
    <>
      <div className={`field-label ${rowClass ?? ''}`}>
        <label htmlFor={id}>{labelText}</label>
        <span className="bits" aria-hidden="true">
          val[{field.word}] {bitRange(field)}
        </span>
      </div>
      <div className={`field-control ${rowClass ?? ''}`}>
        <Control field={field} id={id} value={value} set={set} />
        <span className="desc" title={field.description}>
          {flagged ? '⚠ set: ' : ''}
          {field.description}
        </span>
      </div>
    </>
  );
}

function Control({
  field,
  id,
  value,
  set,
}: {
  field: BitField;
  id: string;
  value: bigint;
  set: (v: bigint) => void;
}) {
  switch (field.kind) {
    case 'flag':
      return (
        <input
          id={id}
          type="checkbox"
          checked={value === 1n}
          onChange={(e) => set(e.currentTarget.checked ? 1n : 0n)}
        />
      );
    case 'enum': {
      const values = field.values ?? {};
      const keys = Object.keys(values).map(Number);
      if (!keys.includes(Number(value))) keys.push(Number(value));
      return (
        <select id={id} value={String(value)} onChange={(e) => set(BigInt(e.currentTarget.value))}>
          {keys
            .sort((a, b) => a - b)
            .map((k) => (
              <option key={k} value={k}>
                {k} — {values[k] ?? 'unknown'}
              </option>
            ))}
        </select>
      );
    }
    case 'number':
      return (
        <NumberInput
          id={id}
          value={Number(value)}
          max={2 ** field.width - 1}
          onCommit={(v) => set(BigInt(v))}
        />
      );
    case 'address': {
      const alignBits = field.lo;
      const topBits = Math.min(64, field.lo + field.width);
      return (
        <DraftInput<bigint>
          id={id}
          className="mono addr"
          value={value}
          format={(v) => formatHex(v)}
          parse={(t) => {
            const p = parseHexText(t, topBits);
            if (!p.ok) return p;
            const mask = (1n << BigInt(alignBits)) - 1n;
            if ((p.value & mask) !== 0n) {
              return {
                ok: false,
                error: `Must be aligned to ${2 ** alignBits} bytes (low ${alignBits} bits zero).`,
              };
            }
            return p;
          }}
          onCommit={set}
        />
      );
    }
    case 'reserved':
      return <HexInput id={id} value={value} bits={field.width} onCommit={set} />;
  }
}
