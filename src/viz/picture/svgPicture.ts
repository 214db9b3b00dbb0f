// A picture of an <svg> on screen, as a file that looks the same anywhere: the SVG cloned with
// every computed style written inline (colours, fonts, strokes: the stylesheet and the theme do
// not travel with a file), width, height and viewBox set, a background painted, and the
// accessible names (role, aria-label) kept so the parts of the chain stay named. A PNG is that SVG
// drawn on a canvas at the size it has on screen.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The presentation properties that decide how an SVG element looks. */
const STYLE_PROPERTIES = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
  'visibility',
  'display',
  'color',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'letter-spacing',
  'text-anchor',
  'dominant-baseline',
  'paint-order',
  'filter',
] as const;

export interface PictureOptions {
  readonly width: number;
  readonly height: number;
  /** Painted behind the drawing (the page's background), so dark themes stay legible. */
  readonly background?: string;
}

function inlineStyles(source: Element, target: Element): void {
  const computed = getComputedStyle(source);
  const parts: string[] = [];
  for (const p of STYLE_PROPERTIES) {
    const v = computed.getPropertyValue(p);
    if (v !== '') parts.push(`${p}:${v}`);
  }
  if (parts.length) target.setAttribute('style', parts.join(';'));
  target.removeAttribute('class');
  const kids = source.children;
  const copies = target.children;
  for (let i = 0; i < kids.length; i++) {
    const a = kids[i];
    const b = copies[i];
    if (a && b) inlineStyles(a, b);
  }
}

/** The SVG as self-contained XML text. */
export function serializeSvgPicture(svg: SVGSVGElement, options: PictureOptions): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  inlineStyles(svg, clone);
  const { width, height } = options;
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  if (!clone.getAttribute('viewBox')) clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
  // Interaction-only nodes do not belong in a picture.
  for (const el of Array.from(clone.querySelectorAll('[data-picture="omit"]'))) el.remove();
  if (options.background) {
    const bg = clone.ownerDocument.createElementNS(SVG_NS, 'rect');
    const box = clone
      .getAttribute('viewBox')
      ?.split(/[\s,]+/)
      .map(Number) ?? [0, 0, width, height];
    bg.setAttribute('x', String(box[0] ?? 0));
    bg.setAttribute('y', String(box[1] ?? 0));
    bg.setAttribute('width', String(box[2] ?? width));
    bg.setAttribute('height', String(box[3] ?? height));
    bg.setAttribute('fill', options.background);
    bg.setAttribute('aria-hidden', 'true');
    clone.insertBefore(bg, clone.firstChild);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
}

/** "torn-down-pasid-step-3": the scenario's title in lower-case words and the step (from 1). */
export function pictureFileName(title: string | undefined, step: number): string {
  const base = (title ?? 'scenario')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${base || 'scenario'}-step-${step + 1}`;
}

/** The SVG text drawn on a canvas of width x height (device pixels x scale), as a PNG. */
export async function svgPictureToPng(
  svgText: string,
  width: number,
  height: number,
  scale = 1,
): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the browser could not draw the SVG'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no PNG'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
