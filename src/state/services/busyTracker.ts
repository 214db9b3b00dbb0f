// Work the idle hook (`window.pasidscope.idle()`, `store.idle()`) waits for besides engine requests
// and autosaves: loads (presets, imports, links, exports), a re-run queued for the next task, and
// running animations (the playback clock, the walk view's transitions, background indexing).

export type BusyKind = 'load' | 'queued-run' | 'animation';

export interface BusyTracker {
  /** Marks one piece of work as started; call the returned function when it ends (once counts). */
  begin(kind: BusyKind): () => void;
  /** Work of this kind (or of any kind) under way. */
  count(kind?: BusyKind): number;
  /** Called whenever a count changes. */
  subscribe(listener: () => void): () => void;
}

export function createBusyTracker(): BusyTracker {
  const counts: Record<BusyKind, number> = { load: 0, 'queued-run': 0, animation: 0 };
  const listeners = new Set<() => void>();
  const emit = (): void => {
    for (const l of listeners) l();
  };
  return {
    begin(kind) {
      counts[kind]++;
      emit();
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        counts[kind]--;
        emit();
      };
    },
    count: (kind) => (kind ? counts[kind] : counts.load + counts['queued-run'] + counts.animation),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
