// Transport icons drawn as SVG (symbol fonts differ between systems; these look the same everywhere).

export type TransportIconName =
  | 'start'
  | 'previous-interesting'
  | 'back'
  | 'play'
  | 'pause'
  | 'forward'
  | 'next-interesting'
  | 'end';

const PATHS: Readonly<Record<TransportIconName, string>> = {
  start: 'M3 3h2v10H3zM13 3v10L6 8z',
  'previous-interesting': 'M8 3v10L2 8zM14 3v10L8 8z',
  back: 'M11 3v10L4 8z',
  play: 'M5 3v10l8-5z',
  pause: 'M4 3h3v10H4zM9 3h3v10H9z',
  forward: 'M5 3v10l7-5z',
  'next-interesting': 'M2 3v10l6-5zM8 3v10l6-5z',
  end: 'M3 3v10l7-5zM11 3h2v10h-2z',
};

export function TransportIcon({ name }: { readonly name: TransportIconName }) {
  return (
    <svg className="walk-icon" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
      <path d={PATHS[name]} />
    </svg>
  );
}
