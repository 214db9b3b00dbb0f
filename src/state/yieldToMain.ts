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
