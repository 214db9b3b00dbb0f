// The app's one animation clock, as a service: the playback slice asks it for frames. The browser
// clock is requestAnimationFrame (a timer where there is none); tests inject a clock they step.

export interface FrameClock {
  /** Calls `callback(now)` at the next frame; the returned function cancels it. */
  requestFrame(callback: (now: number) => void): () => void;
}

export const browserFrameClock: FrameClock = {
  requestFrame(callback) {
    if (typeof requestAnimationFrame === 'function') {
      const id = requestAnimationFrame(callback);
      return () => cancelAnimationFrame(id);
    }
    const id = setTimeout(() => callback(performance.now()), 16);
    return () => clearTimeout(id);
  },
};
