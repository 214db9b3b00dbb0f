// Errors and warnings that need the user's eyes (a bad link, a refused import, autosave trouble).

import { type Notice, useAppStore } from '../../state/index.ts';

/** Further lines of a notice: folded under its detail for information, open for problems. */
function NoteList({ notice, notes }: { notice: Notice; notes: readonly string[] }) {
  const list = (
    <ul>
      {notes.slice(0, 12).map((line, k) => (
        <li key={k}>{line}</li>
      ))}
      {notes.length > 12 ? <li>… and {notes.length - 12} more</li> : null}
    </ul>
  );
  if (notice.tone !== 'info') return list;
  return (
    <details className="notice-notes">
      <summary>{notice.detail ?? 'Details'}</summary>
      {list}
    </details>
  );
}

export function Notices() {
  const notices = useAppStore((s) => s.notices);
  const dismiss = useAppStore((s) => s.dismissNotice);
  return (
    <div className="notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.tone}`} role={n.tone === 'error' ? 'alert' : 'note'}>
          <div className="notice-text">
            <strong>{n.title}</strong>
            {n.detail && !(n.notes?.length && n.tone === 'info') ? (
              <span style={{ overflowWrap: 'anywhere' }}>{n.detail}</span>
            ) : null}
            {n.issues && n.issues.length > 0 ? (
              <ul>
                {n.issues.slice(0, 8).map((i, k) => (
                  <li key={k}>
                    <code>{i.path || '(file)'}</code>: {i.message}
                  </li>
                ))}
                {n.issues.length > 8 ? <li>… and {n.issues.length - 8} more</li> : null}
              </ul>
            ) : null}
            {n.notes && n.notes.length > 0 ? <NoteList notice={n} notes={n.notes} /> : null}
          </div>
          <button
            type="button"
            className="btn small ghost"
            aria-label="Dismiss"
            onClick={() => dismiss(n.id)}
          >
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
