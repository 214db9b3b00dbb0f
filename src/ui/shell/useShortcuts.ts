// Global keys: Ctrl/Cmd+Z undo, Shift+Ctrl/Cmd+Z (or Ctrl+Y) redo, "?" shortcuts. In a text field
// with unsaved typing the browser's own text undo applies instead.

import { useEffect } from 'react';
import { useAppStoreApi } from '../../state/index.ts';

function typingInField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLTextAreaElement) return true;
  return (
    target instanceof HTMLInputElement && target.type === 'text' && target.dataset.dirty === 'true'
  );
}

function editable(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}

export function useShortcuts(onHelp: () => void): void {
  const store = useAppStoreApi();
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && !e.altKey && (key === 'z' || key === 'y')) {
        if (typingInField(e.target)) return;
        e.preventDefault();
        const t = store.temporal.getState();
        if (key === 'y' || e.shiftKey) t.redo();
        else t.undo();
        return;
      }
      if (e.key === '?' && !mod && !editable(e.target)) {
        e.preventDefault();
        onHelp();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, onHelp]);
}
