// Lazy tables: a long table below the fold makes its rows only once the person scrolls near it.

import { useEffect, useState } from 'react';

/**
 * Whether the element has come near the visible part of its scrolling panel (once true, stays
 * true). Several devices with 10^5 cached entries each make several long tables: the ones below
 * the fold wait until the person scrolls towards them.
 */
export function useSeen(ref: React.RefObject<HTMLElement | null>, lazy: boolean): boolean {
  const [seen, setSeen] = useState(!lazy || typeof IntersectionObserver !== 'function');
  const now = seen || !lazy;
  useEffect(() => {
    const el = ref.current;
    if (now || !el) return undefined;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setSeen(true);
          io.disconnect();
        }
      },
      { root: el.closest('.panel-body'), rootMargin: '120px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [now, ref]);
  return now;
}
