// A tour's place in the address bar (?tour=NAME&at=K, K from 1), so a link reopens the same stop.

/** The address bar's query with the tour's position (or without it when no tour is open). */
export function searchWithTour(search: string, tour: { name: string; stop: number } | undefined) {
  const q = new URLSearchParams(search);
  q.delete('tour');
  q.delete('at');
  if (tour) {
    q.set('tour', tour.name);
    q.set('at', String(tour.stop + 1));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
