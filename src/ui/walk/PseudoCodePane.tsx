// Our pseudo-code of the QEMU function the current event runs in, with the executed line marked
// (aria-current="step") and the call chain that led there.

import { useEffect, useRef } from 'react';
import { QEMU_FUNCTIONS, type QemuFn, type Variant } from '../../model/core.ts';
import type { LineRef } from '../../viz/pseudocode/lineForEvent.ts';
import { PSEUDOCODE, linesFor } from '../../viz/pseudocode/qemuPseudocode.ts';

/** Calls shown in the breadcrumb (the nearest ones; the whole chain is in its tooltip). */
const CHAIN_SHOWN = 3;

export interface PseudoCodePaneProps {
  readonly line: LineRef | undefined;
  readonly chain: readonly QemuFn[];
  readonly variant: Variant;
}

export function PseudoCodePane({ line, chain, variant }: PseudoCodePaneProps) {
  const currentRef = useRef<HTMLLIElement>(null);
  const fn = line ? PSEUDOCODE[line.fn] : undefined;
  const lines = fn ? linesFor(fn, variant) : [];
  useEffect(() => {
    // Keep the current line in view inside the code box only (never scroll the panel or the page).
    // Read layout in the next frame, after every view has written its changes, never mid-commit.
    const frame = requestAnimationFrame(() => {
      const li = currentRef.current;
      const box = li?.closest('.walk-code-scroll');
      if (!li || !box || box.scrollHeight <= box.clientHeight + 1) return;
      const liBox = li.getBoundingClientRect();
      const boxRect = box.getBoundingClientRect();
      if (liBox.top < boxRect.top || liBox.bottom > boxRect.bottom) {
        box.scrollTop += liBox.top - boxRect.top - box.clientHeight / 3;
      }
    });
    return () => cancelAnimationFrame(frame);
  }, [line]);
  return (
    <section className="walk-code" aria-label="Pseudo-code">
      <h3 className="walk-pane-title">
        Pseudo-code{' '}
        <span className="muted">
          (ours, beside QEMU {fn?.file ? <code>{fn.file}</code> : null})
        </span>
      </h3>
      {chain.length > 1 ? (
        <ol
          className="walk-chain"
          aria-label="Call chain"
          title={chain.map((f) => QEMU_FUNCTIONS[f].name).join(' → ')}
        >
          {chain.length > CHAIN_SHOWN ? <li className="muted">…</li> : null}
          {chain.slice(-CHAIN_SHOWN).map((f, i, shown) => (
            <li
              key={`${String(f)}:${String(i)}`}
              aria-current={i === shown.length - 1 ? 'true' : undefined}
            >
              {QEMU_FUNCTIONS[f].name}
            </li>
          ))}
        </ol>
      ) : null}
      {fn ? (
        <div
          className="walk-code-scroll"
          tabIndex={0}
          role="group"
          aria-label="QEMU function, current line marked"
        >
          <p className="walk-signature">
            <code>{fn.signature}</code>
          </p>
          <ol className="walk-code-lines">
            {lines.map((l, i) => {
              const current = line !== undefined && l.tag === line.tag;
              return (
                <li
                  key={`${l.tag ?? 'line'}:${String(i)}`}
                  ref={current ? currentRef : undefined}
                  aria-current={current ? 'step' : undefined}
                  data-tag={l.tag}
                  style={{ paddingLeft: `${String(0.5 + l.indent * 1.5)}em` }}
                >
                  <code>{l.text}</code>
                </li>
              );
            })}
          </ol>
        </div>
      ) : (
        <p className="muted">No QEMU code runs at this point.</p>
      )}
    </section>
  );
}
