// The pointers QEMU follows, drawn as orthogonal arrows from the field that holds the address to
// the structure it points at, each labelled with that address where the gap leaves room for it.

import { TYPE, textWidth } from './geometry.ts';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface ArrowModel {
  readonly key: string;
  /** Polyline, the arrowhead at the last point. */
  readonly points: readonly Point[];
  readonly label?: { readonly x: number; readonly y: number; readonly text: string };
  /** Tooltip and accessible description: what is followed, from where to where. */
  readonly title: string;
  readonly lit: boolean;
}

export interface ArrowInput {
  readonly key: string;
  readonly from: Point;
  readonly to: Point;
  /** 'h': leave and enter horizontally (elbow in the middle); 'v': leave and enter vertically. */
  readonly route: 'h' | 'v';
  /** Where the elbow's middle segment runs (x for 'h', y for 'v'); the midpoint by default. */
  readonly bend?: number;
  readonly label: string;
  readonly title: string;
  readonly lit: boolean;
}

/** The polyline of an orthogonal connector (2 points when aligned, 4 with an elbow). */
export function arrowPoints(input: Pick<ArrowInput, 'from' | 'to' | 'route' | 'bend'>): Point[] {
  const { from, to } = input;
  if (input.route === 'h') {
    if (Math.abs(from.y - to.y) < 0.5) return [from, to];
    const mx = input.bend ?? (from.x + to.x) / 2;
    return [from, { x: mx, y: from.y }, { x: mx, y: to.y }, to];
  }
  if (Math.abs(from.x - to.x) < 0.5) return [from, to];
  const my = input.bend ?? (from.y + to.y) / 2;
  return [from, { x: from.x, y: my }, { x: to.x, y: my }, to];
}

/** The longest horizontal segment: where a label can sit above the line. */
function labelSpot(points: readonly Point[]): { x: number; y: number; len: number } | undefined {
  let best: { x: number; y: number; len: number } | undefined;
  for (let i = 1; i < points.length; i++) {
    const p = points[i - 1];
    const q = points[i];
    if (!p || !q || Math.abs(p.y - q.y) > 0.5) continue;
    const len = Math.abs(q.x - p.x);
    if (!best || len > best.len) best = { x: Math.min(p.x, q.x), y: p.y, len };
  }
  return best;
}

export function layoutArrow(input: ArrowInput): ArrowModel {
  const points = arrowPoints(input);
  const spot = labelSpot(points);
  // Room for the label and the arrowhead: otherwise the target's title carries the address.
  const fits = spot !== undefined && textWidth(input.label, TYPE.note) + 14 <= spot.len;
  return {
    key: input.key,
    points,
    ...(fits && spot ? { label: { x: spot.x + 4, y: spot.y - 4, text: input.label } } : {}),
    title: input.title,
    lit: input.lit,
  };
}
