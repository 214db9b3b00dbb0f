// Layout of the cost chart: x = pasid-bits, y = a cost metric on a log scale, one line per device
// count. Pure (d3-scale for the maths); the React host draws it as plain SVG.

import { scaleLinear, scaleLog } from 'd3';
import type { CostPoint } from './costScenarios.ts';

export type CostMetric = 'bytes' | 'leafReads' | 'listCompares';

export interface MeasuredPoint extends CostPoint {
  readonly bytes: number;
  readonly leafReads: number;
  readonly dirReads: number;
  readonly listCompares: number;
  /** Model wall time in the worker, ms. */
  readonly ms: number;
}

export interface CostChartModel {
  readonly width: number;
  readonly height: number;
  readonly plot: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly xTicks: readonly { readonly x: number; readonly label: string }[];
  readonly yTicks: readonly { readonly y: number; readonly label: string }[];
  readonly series: readonly {
    readonly key: string;
    readonly devices: number;
    readonly path: string;
    readonly points: readonly { readonly x: number; readonly y: number; readonly label: string }[];
  }[];
}

function si(v: number): string {
  const units = ['', 'k', 'M', 'G', 'T', 'P'];
  let u = 0;
  let x = v;
  while (x >= 1000 && u < units.length - 1) {
    x /= 1000;
    u += 1;
  }
  return `${Number(x.toPrecision(x >= 100 ? 3 : 2)).toString()}${units[u] ?? ''}`;
}

export function formatMetric(metric: CostMetric, v: number): string {
  return metric === 'bytes' ? `${si(v)}B` : si(v);
}

export function layoutCostChart(
  points: readonly MeasuredPoint[],
  metric: CostMetric,
  width: number,
  height: number,
): CostChartModel {
  const plot = {
    x: 50,
    y: 8,
    w: Math.max(60, width - 50 - 12),
    h: Math.max(40, height - 8 - 30),
  };
  const values = points.map((p) => Math.max(1, p[metric]));
  const lo = values.length ? Math.min(...values) : 1;
  const hi = values.length ? Math.max(...values) : 10;
  const bitsLo = Math.min(4, ...points.map((p) => p.pasidBits));
  const sx = scaleLinear()
    .domain([bitsLo, 20])
    .range([plot.x, plot.x + plot.w]);
  const sy = scaleLog()
    .domain([Math.max(1, lo / 2), Math.max(hi * 2, lo * 4)])
    .range([plot.y + plot.h, plot.y])
    .nice();
  const xTicks = [4, 8, 12, 16, 20]
    .filter((b) => b >= bitsLo)
    .map((b) => ({ x: sx(b), label: b.toString() }));
  const [d0, d1] = sy.domain() as [number, number];
  const yTicks: { y: number; label: string }[] = [];
  for (let e = Math.ceil(Math.log10(d0)); e <= Math.floor(Math.log10(d1)); e += 2) {
    yTicks.push({ y: sy(10 ** e), label: formatMetric(metric, 10 ** e) });
  }
  const byDevices = new Map<number, MeasuredPoint[]>();
  for (const p of points) byDevices.set(p.devices, [...(byDevices.get(p.devices) ?? []), p]);
  const series = [...byDevices.entries()]
    .sort((p, q) => p[0] - q[0])
    .map(([devices, ps]) => {
      const sorted = [...ps].sort((p, q) => p.pasidBits - q.pasidBits);
      const pts = sorted.map((p) => ({
        x: sx(p.pasidBits),
        y: sy(Math.max(1, p[metric])),
        label: `${devices.toString()} device${devices === 1 ? '' : 's'}, pasid-bits ${p.pasidBits.toString()}: ${formatMetric(metric, p[metric])}`,
      }));
      return {
        key: `devices:${devices.toString()}`,
        devices,
        path: pts
          .map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`)
          .join(''),
        points: pts,
      };
    });
  return { width, height, plot, xTicks, yTicks, series };
}
