// A text input that edits a committed value through a draft. While the draft does not parse, the
// input is marked invalid, an error says why, and the committed (last good) value is untouched.
// Enter or leaving the field commits a valid draft; Escape returns to the committed value.

import { useId, useState, type KeyboardEvent } from 'react';
import type { Parsed } from './numberText.ts';

export interface DraftInputProps<T> {
  readonly value: T;
  readonly format: (value: T) => string;
  readonly parse: (text: string) => Parsed<T>;
  readonly onCommit: (value: T) => void;
  /** Accessible name (when there is no <label htmlFor>). */
  readonly label?: string;
  readonly id?: string;
  readonly className?: string;
  /** Commit on every keystroke that parses (for live previews), not only on Enter / blur. */
  readonly commitWhileTyping?: boolean;
  readonly disabled?: boolean;
  readonly title?: string;
  readonly inputMode?: 'text' | 'numeric';
  readonly describedBy?: string;
}

export function DraftInput<T>(props: DraftInputProps<T>) {
  const { value, format, parse, onCommit } = props;
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const errorId = useId();
  const shown = draft ?? format(value);

  const commit = (text: string): void => {
    const parsed = parse(text);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(undefined);
    setDraft(undefined);
    if (format(parsed.value) !== format(value)) onCommit(parsed.value);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'Enter') {
      e.preventDefault();
      commit(e.currentTarget.value);
    } else if (e.key === 'Escape' && draft !== undefined) {
      e.preventDefault();
      setDraft(undefined);
      setError(undefined);
    }
  };

  const describedBy = [error ? errorId : undefined, props.describedBy].filter(Boolean).join(' ');
  return (
    <span className="draft-input">
      <input
        type="text"
        id={props.id}
        className={props.className}
        aria-label={props.label}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        data-dirty={draft !== undefined && draft !== format(value) ? 'true' : undefined}
        spellCheck={false}
        autoComplete="off"
        inputMode={props.inputMode}
        disabled={props.disabled}
        title={props.title}
        value={shown}
        onChange={(e) => {
          const text = e.currentTarget.value;
          setDraft(text);
          const parsed = parse(text);
          setError(parsed.ok ? undefined : parsed.error);
          if (parsed.ok && props.commitWhileTyping && format(parsed.value) !== format(value)) {
            onCommit(parsed.value);
          }
        }}
        onKeyDown={onKeyDown}
        onBlur={(e) => {
          if (draft !== undefined) commit(e.currentTarget.value);
        }}
      />
      {error ? (
        <span id={errorId} className="field-error" role="alert">
          {error} Keeping {format(value)}.
        </span>
      ) : null}
    </span>
  );
}
