import { useEffect, useRef } from 'react';
import { WALK_SHORTCUT_ROWS } from '../walk/walkKeys.ts';

const ROWS: readonly (readonly [string, string])[] = [
  ['Ctrl/⌘ + Z', 'Undo the last scenario edit'],
  ['Shift + Ctrl/⌘ + Z, Ctrl + Y', 'Redo'],
  ['↑ ↓ Home End PgUp PgDn', 'Move in the structure browser'],
  ['→ / ←', 'Unfold / fold a device or table'],
  ['Enter / Space', 'Select the entry to edit'],
  ['Enter (in a field)', 'Apply the typed value; Esc returns to the stored one'],
  ['← → (on the tabs)', 'Switch sidebar tab'],
  ...WALK_SHORTCUT_ROWS,
  ['?', 'This list'],
];

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="shortcuts" aria-labelledby="shortcuts-title" onClose={onClose}>
      <h2 id="shortcuts-title" style={{ marginTop: 0, fontSize: 16 }}>
        Keyboard shortcuts
      </h2>
      <table>
        <tbody>
          {ROWS.map(([k, v]) => (
            <tr key={k}>
              <td>
                <kbd>{k}</kbd>
              </td>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        Edits of an entry become guest <code>write</code> steps; “Submit invalidation” appends an
        <code> invalidate</code> step and re-runs the whole scenario.
      </p>
      <form method="dialog" style={{ textAlign: 'right' }}>
        <button className="btn" type="submit">
          Close
        </button>
      </form>
    </dialog>
  );
}
