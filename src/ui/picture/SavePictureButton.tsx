// "Save picture": the walk view as it is on screen at the current event, as a self-contained SVG
// and a PNG of the same size, named after the scenario and the step.

import { useState } from 'react';
import { useAppStore } from '../../state/index.ts';
import {
  pictureFileName,
  serializeSvgPicture,
  svgPictureToPng,
} from '../../viz/picture/svgPicture.ts';

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function SavePictureButton({
  step,
  selector = 'svg.walk-svg',
  disabled = false,
}: {
  /** The step on screen (from 0). */
  step: number;
  /** The <svg> to save. */
  selector?: string;
  disabled?: boolean;
}) {
  const title = useAppStore((s) => s.scenario.title);
  const pushNotice = useAppStore((s) => s.pushNotice);
  const [busy, setBusy] = useState(false);

  const save = async (): Promise<void> => {
    const svg = document.querySelector<SVGSVGElement>(selector);
    if (!svg) return;
    setBusy(true);
    try {
      const box = svg.getBoundingClientRect();
      const width = Math.round(box.width);
      const height = Math.round(box.height);
      const background = getComputedStyle(document.body).backgroundColor;
      const text = serializeSvgPicture(svg, { width, height, background });
      const name = pictureFileName(title, step);
      download(new Blob([text], { type: 'image/svg+xml' }), `${name}.svg`);
      download(await svgPictureToPng(text, width, height), `${name}.png`);
    } catch (e) {
      pushNotice({
        tone: 'error',
        topic: 'picture',
        title: `The picture could not be saved: ${e instanceof Error ? e.message : String(e)}`,
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <button
      type="button"
      disabled={disabled || busy}
      onClick={() => void save()}
      title="Save the walk view as it is now, as SVG and PNG"
    >
      Save picture
    </button>
  );
}
