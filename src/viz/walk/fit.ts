// Fitting the drawing to its box: one scale factor for the whole picture, never below 1 (so no text
// is drawn under the layout's 12-unit floor), larger when the box has room (Full view, projectors),
// at least `minScale` in presentation mode. The layout then runs at the box's size divided by it.

import { MIN_DRAWING_HEIGHT, MIN_DRAWING_WIDTH } from './layout.ts';

/** Width the drawing is comfortable at; wider boxes scale it up rather than spreading it out. */
export const COMFORT_WIDTH = 640;
const COLLAPSED_LINE = 24;
const MAX_SCALE = 3;

export interface DrawingFit {
  readonly scale: number;
  /** The drawing's own size: the box divided by the scale. */
  readonly width: number;
  readonly height: number;
}

export function fitDrawing(
  box: { readonly width: number; readonly height: number },
  devices: number,
  minScale = 1,
): DrawingFit {
  const needH = MIN_DRAWING_HEIGHT + Math.max(0, devices - 1) * COLLAPSED_LINE;
  const byBox = Math.min(box.width / COMFORT_WIDTH, box.height / needH, MAX_SCALE);
  const scale = Math.max(1, minScale, byBox);
  return {
    scale,
    width: Math.max(MIN_DRAWING_WIDTH, box.width / scale),
    height: box.height / scale,
  };
}
