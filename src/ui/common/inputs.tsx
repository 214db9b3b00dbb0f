// The two concrete editors most panels use: a hex field and a number field.

import { DraftInput } from './DraftInput.tsx';
import { formatHex, parseHexText, parseNumberText } from './numberText.ts';

interface CommonProps {
  readonly label?: string;
  readonly id?: string;
  readonly className?: string;
  readonly commitWhileTyping?: boolean;
  readonly disabled?: boolean;
  readonly title?: string;
  readonly describedBy?: string;
}

export function HexInput(
  props: CommonProps & {
    readonly value: bigint;
    readonly onCommit: (v: bigint) => void;
    /** Width of the value in bits (default 64). */
    readonly bits?: number;
    /** Pad to this many hex digits (e.g. 16 for a raw word). */
    readonly digits?: number;
  },
) {
  const { bits = 64, digits = 0, value, onCommit, className, ...rest } = props;
  return (
    <DraftInput<bigint>
      {...rest}
      className={['mono', className].filter(Boolean).join(' ')}
      value={value}
      format={(v) => formatHex(v, digits)}
      parse={(t) => parseHexText(t, bits)}
      onCommit={onCommit}
    />
  );
}

export function NumberInput(
  props: CommonProps & {
    readonly value: number;
    readonly onCommit: (v: number) => void;
    readonly min?: number;
    readonly max: number;
  },
) {
  const { min = 0, max, value, onCommit, className, ...rest } = props;
  return (
    <DraftInput<number>
      {...rest}
      className={['mono', className].filter(Boolean).join(' ')}
      inputMode="numeric"
      value={value}
      format={(v) => String(v)}
      parse={(t) => parseNumberText(t, min, max)}
      onCommit={onCommit}
    />
  );
}
