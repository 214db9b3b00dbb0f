// A guided tour's stop: its two or three sentences, where it is (stop k of n), Previous / Next, and
// on the last stop the question (with "Predict this step" when the stop is an invalidation). The
// stop has already moved the playhead; this region also tells the views what to highlight (an
// attribute on the root element that the walk's and the pseudo-code's CSS read) and keeps the tour
// in the address bar so the link reopens the same stop. Esc leaves.

import { useEffect, useRef } from 'react';
import { TOURS, stepOfEvent } from '../../model/core.ts';
import { selectTourHighlight, tourNamed, useAppStore } from '../../state/index.ts';
import { searchWithTour } from './tourUrl.ts';
import './teaching.css';

function useHighlightAttributes(): void {
  const highlight = useAppStore(selectTourHighlight);
  useEffect(() => {
    const root = document.documentElement;
    if (highlight?.kind === 'chain') root.dataset.tourPart = highlight.part;
    if (highlight?.kind === 'cacheRow') root.dataset.tourPart = highlight.cache;
    if (highlight?.kind === 'pseudo') root.dataset.tourFn = highlight.fn;
    return () => {
      delete root.dataset.tourPart;
      delete root.dataset.tourFn;
    };
  }, [highlight]);
}

function useTourInUrl(tour: { name: string; stop: number } | undefined): void {
  const name = tour?.name;
  const stop = tour?.stop;
  // Only a tour that was open is taken out of the address bar: at start-up the URL's own
  // ?tour= is still waiting to be read.
  const wasOpen = useRef(false);
  useEffect(() => {
    const open = name !== undefined && stop !== undefined;
    if (!open && !wasOpen.current) return;
    wasOpen.current = open;
    const { pathname, search, hash } = window.location;
    const next = searchWithTour(search, open ? { name, stop } : undefined);
    if (next !== search)
      window.history.replaceState(window.history.state, '', pathname + next + hash);
  }, [name, stop]);
}

/** Is Esc meant for something else (a field, a menu, a dialog)? */
function escapeBelongsElsewhere(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  return target.closest('input, textarea, select, [role="menu"], [role="dialog"], dialog') !== null;
}

export function TourPanel({ floating = false }: { readonly floating?: boolean }) {
  const tour = useAppStore((s) => s.tour);
  const goToStop = useAppStore((s) => s.goToStop);
  const leaveTour = useAppStore((s) => s.leaveTour);
  const predictStep = useAppStore((s) => s.predictStep);
  const stepIsInvalidation = useAppStore((s) => {
    if (!s.tour || s.tour.event === undefined || !s.run) return undefined;
    const step = stepOfEvent(s.run.result.trace, s.tour.event);
    return s.runOf?.steps[step]?.op === 'invalidate' ? step : undefined;
  });
  const heading = useRef<HTMLHeadingElement>(null);
  const name = tour?.name;
  useHighlightAttributes();
  useTourInUrl(tour);

  // A tour that opens takes the focus, so a keyboard user is where the tour is.
  useEffect(() => {
    if (name) heading.current?.focus({ preventScroll: true });
  }, [name]);

  useEffect(() => {
    if (!name) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape' || e.defaultPrevented || escapeBelongsElsewhere(e.target)) return;
      // First Esc leaves the tour; the next one is the walk's (leave presentation mode).
      e.stopImmediatePropagation();
      e.preventDefault();
      leaveTour();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [name, leaveTour]);

  if (!tour) return null;
  const t = tourNamed(tour.name);
  const stop = t?.stops[tour.stop];
  if (!t || !stop) return null;
  const last = tour.stop === t.stops.length - 1;
  const index = TOURS.indexOf(t);
  return (
    <section className={`tour-panel${floating ? ' floating' : ''}`} aria-label="Tour">
      <div className="tour-head">
        <h2 ref={heading} tabIndex={-1}>
          <span className="tour-kicker">
            Tour {index + 1} of {TOURS.length}
          </span>{' '}
          {t.title}
        </h2>
        <span className="tour-progress" aria-label={`Stop ${tour.stop + 1} of ${t.stops.length}`}>
          Stop {tour.stop + 1} of {t.stops.length}
        </span>
        <progress value={tour.stop + 1} max={t.stops.length} aria-hidden="true" />
      </div>
      <div className="tour-body" aria-live="polite">
        <h3>{stop.title}</h3>
        <p>{stop.text}</p>
        {tour.event === undefined ? (
          <p className="tour-missing" role="note">
            This preset no longer shows this moment; the playhead stayed where it was.
          </p>
        ) : null}
        {stop.question ? (
          <p className="tour-question">
            <strong>Question:</strong> {stop.question}
          </p>
        ) : null}
      </div>
      <div className="tour-actions">
        <button
          type="button"
          className="btn"
          disabled={tour.stop === 0}
          onClick={() => goToStop(tour.stop - 1)}
        >
          <span aria-hidden="true">← </span>Previous stop
        </button>
        {last ? (
          <button type="button" className="btn primary" onClick={() => leaveTour()}>
            Finish tour
          </button>
        ) : (
          <button type="button" className="btn primary" onClick={() => goToStop(tour.stop + 1)}>
            Next stop<span aria-hidden="true"> →</span>
          </button>
        )}
        {stop.question && stepIsInvalidation !== undefined ? (
          <button
            type="button"
            className="btn"
            title="Mark what this invalidation does to each cache entry, then reveal the model's answer"
            onClick={() => predictStep(stepIsInvalidation, stop.question)}
          >
            Predict this step
          </button>
        ) : null}
        <button
          type="button"
          className="btn ghost"
          title="Leave the tour (Esc)"
          onClick={() => leaveTour()}
        >
          Leave tour <kbd>Esc</kbd>
        </button>
      </div>
    </section>
  );
}
