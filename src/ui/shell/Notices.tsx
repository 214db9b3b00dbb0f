// Errors and warnings that need the user's eyes (a bad link, a refused import, autosave trouble).

import { useAppStore } from '../../state/hooks.ts';

export function Notices() {
  const notices = useAppStore((s) => s.notices);
  const dismiss = useAppStore((s) => s.dismissNotice);
  return (
    <div className="notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.tone}`} role={n.tone === 'error' ? 'alert' : 'note'}>
          <div className="notice-text">
            <strong>{n.title}</strong>
            {n.detail ? <span style={{ overflowWrap: 'anywhere' }}>{n.detail}</span> : null}
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
            {n.notes && n.notes.length > 0 ? (
              <ul>
                {n.notes.slice(0, 12).map((line, k) => (
                  <li key={k}>{line}</li>
                ))}
                {n.notes.length > 12 ? <li>… and {n.notes.length - 12} more</li> : null}
              </ul>
            ) : null}
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
