// Lets the browser run other tasks (input, rendering) before the caller continues: for long
// main-thread work that cannot be avoided, split at its natural seams so that no single task runs
// long. scheduler.postTask where the browser has it, else a MessageChannel message (a macrotask
// without setTimeout's clamping).

interface PostTaskScheduler {
  postTask(callback: () => void, options?: { readonly priority?: string }): Promise<void>;
}

export function yieldToMain(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: Partial<PostTaskScheduler> }).scheduler;
  if (typeof scheduler?.postTask === 'function') {
    return scheduler.postTask(() => undefined, { priority: 'user-visible' });
  }
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(undefined);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Main-thread work per task when `workInSlices` spreads a job (ms): well under the 50 ms a
 * task may take before the page feels stuck. */
const SLICE_BUDGET_MS = 12;

/**
 * Runs a job given as a generator of small pieces, yielding to the browser whenever the pieces
 * done since the last yield have taken the budget. Used to warm the caches a large run or scenario
 * needs (history indexes, host rows, directory scans) before it is handed to the views, so that
 * their first render reads warm memos instead of doing all that work in one task.
 */
export async function workInSlices(
  pieces: Iterable<unknown>,
  budgetMs: number = SLICE_BUDGET_MS,
): Promise<void> {
  let since = performance.now();
  for (const _ of pieces) {
    if (performance.now() - since >= budgetMs) {
      await yieldToMain();
      since = performance.now();
    }
  }
}
