// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { pictureFileName, serializeSvgPicture } from './svgPicture.ts';

function synthetic(): SVGSVGElement {
  document.head.innerHTML =
    '<style>.cell { fill: rgb(10, 20, 30); stroke: rgb(200, 0, 0); } .label { font-family: "DejaVu Sans"; font-size: 13px; }</style>';
  document.body.innerHTML = `
    <svg class="walk-svg" width="300" height="120" viewBox="0 0 300 120" role="img" aria-label="Walk">
      <g role="group" aria-label="PASID directory">
        <rect class="cell" x="1" y="2" width="10" height="10"></rect>
        <text class="label" x="4" y="30">dir[0] & present</text>
      </g>
      <g role="group" aria-label="PASID table"><rect class="cell" x="50" y="2" width="10" height="10"></rect></g>
      <g data-picture="omit"><rect x="0" y="0" width="300" height="120"></rect></g>
    </svg>`;
  const svg = document.querySelector('svg');
  if (!svg) throw new Error('no svg');
  return svg;
}

describe('serializeSvgPicture', () => {
  const text = serializeSvgPicture(synthetic(), {
    width: 300,
    height: 120,
    background: 'rgb(255, 255, 255)',
  });
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');

  it('is well-formed SVG with its size and viewBox', () => {
    expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
    const root = doc.documentElement;
    expect(root.localName).toBe('svg');
    expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(root.getAttribute('width')).toBe('300');
    expect(root.getAttribute('height')).toBe('120');
    expect(root.getAttribute('viewBox')).toBe('0 0 300 120');
  });

  it('keeps the named parts of the chain', () => {
    const names = Array.from(doc.querySelectorAll('[role="group"]')).map((g) =>
      g.getAttribute('aria-label'),
    );
    expect(names).toEqual(['PASID directory', 'PASID table']);
    expect(doc.documentElement.getAttribute('aria-label')).toBe('Walk');
  });

  it('carries colours and fonts inline, not by class', () => {
    const rect = doc.querySelector('[role="group"] rect');
    expect(rect?.getAttribute('class')).toBeNull();
    expect(rect?.getAttribute('style')).toMatch(/fill:\s*rgb\(10, 20, 30\)/);
    expect(rect?.getAttribute('style')).toMatch(/stroke:\s*rgb\(200, 0, 0\)/);
    const label = doc.querySelector('text');
    expect(label?.getAttribute('style')).toMatch(/font-family:\s*"?DejaVu Sans"?/);
    expect(label?.getAttribute('style')).toMatch(/font-size:\s*13px/);
    expect(label?.textContent).toBe('dir[0] & present');
  });

  it('paints the background and leaves out interaction-only parts', () => {
    const first = doc.documentElement.firstElementChild;
    expect(first?.getAttribute('fill')).toBe('rgb(255, 255, 255)');
    expect(doc.querySelector('[data-picture="omit"]')).toBeNull();
  });
});

it('names the file after the scenario and the step (from 1)', () => {
  expect(pictureFileName('Torn-down PASID: the seed keeps it', 2)).toBe(
    'torn-down-pasid-the-seed-keeps-it-step-3',
  );
  expect(pictureFileName(undefined, 0)).toBe('scenario-step-1');
});
