// Where a learner got to in each tour, kept in the browser (localStorage) so a tour reopened later
// resumes at the same stop and the Tours menu can mark the finished ones. Bad or foreign data in
// storage is ignored, never thrown.

export interface TourProgress {
  /** 0-based stop last shown. */
  readonly stop: number;
  /** The last stop has been reached at least once. */
  readonly done: boolean;
}

export const TOUR_PROGRESS_KEY = 'pasidscope.tourProgress';

type ProgressStore = Pick<Storage, 'getItem' | 'setItem'>;

function defaultStorage(): ProgressStore | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // storage blocked (privacy settings)
  }
}

export function readTourProgress(
  storage: ProgressStore | undefined = defaultStorage(),
): Record<string, TourProgress> {
  try {
    const raw: unknown = JSON.parse(storage?.getItem(TOUR_PROGRESS_KEY) ?? '{}');
    if (typeof raw !== 'object' || raw === null) return {};
    const out: Record<string, TourProgress> = {};
    for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
      const p = v as { stop?: unknown; done?: unknown } | null;
      if (p && Number.isInteger(p.stop) && (p.stop as number) >= 0)
        out[name] = { stop: p.stop as number, done: p.done === true };
    }
    return out;
  } catch {
    return {};
  }
}

/** Records that `name` showed stop `stop` of `stops`; returns the updated record. */
export function saveTourProgress(
  name: string,
  stop: number,
  stops: number,
  storage: ProgressStore | undefined = defaultStorage(),
): Record<string, TourProgress> {
  const all = readTourProgress(storage);
  const done = (all[name]?.done ?? false) || stop >= stops - 1;
  const next = { ...all, [name]: { stop, done } };
  try {
    storage?.setItem(TOUR_PROGRESS_KEY, JSON.stringify(next));
  } catch {
    // Full or blocked storage: progress is a convenience, the tour goes on.
  }
  return next;
}
