// The header's "Tours" menu: every guided tour, with where the learner left it. A menu button
// (arrow keys move, Enter opens a tour, Esc closes and returns focus to the button).

import { useEffect, useId, useRef, useState } from 'react';
import { TOURS } from '../../model/core.ts';
import { useAppStore } from '../../state/index.ts';

export function ToursMenu() {
  const [open, setOpen] = useState(false);
  const progress = useAppStore((s) => s.tourProgress);
  const startTour = useAppStore((s) => s.startTour);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const menuId = useId();

  const items = (): HTMLButtonElement[] => [
    ...(list.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []),
  ];
  useEffect(() => {
    if (open) items()[0]?.focus();
  }, [open]);
  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent): void => {
      const t = e.target as Node;
      if (!list.current?.contains(t) && !button.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);

  const close = (): void => {
    setOpen(false);
    button.current?.focus();
  };
  const onKey = (e: React.KeyboardEvent): void => {
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    const go = (i: number): void => all[(i + all.length) % all.length]?.focus();
    if (e.key === 'ArrowDown') go(at + 1);
    else if (e.key === 'ArrowUp') go(at - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(all.length - 1);
    else if (e.key === 'Escape' || e.key === 'Tab') {
      if (e.key === 'Escape') close();
      else setOpen(false);
      if (e.key === 'Escape') e.stopPropagation();
      return;
    } else return;
    e.preventDefault();
  };

  return (
    <div className="tours-menu">
      <button
        ref={button}
        type="button"
        className="btn"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        title="Guided tours: a preset and stops that say what to look at"
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        Tours <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <ul ref={list} id={menuId} role="menu" aria-label="Tours" onKeyDown={onKey}>
          {TOURS.map((t) => {
            const p = progress[t.name];
            const state = p?.done
              ? 'done'
              : p
                ? `stop ${p.stop + 1} of ${t.stops.length}`
                : `${t.stops.length} stops`;
            return (
              <li key={t.name} role="none">
                <button
                  type="button"
                  role="menuitem"
                  tabIndex={-1}
                  onClick={() => {
                    setOpen(false);
                    void startTour(t.name);
                  }}
                >
                  <span className="tour-title">{t.title}</span>
                  <span className="tour-state">
                    {p?.done ? <span aria-hidden="true">✓ </span> : null}
                    {state}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}
