// The cost view: what the current scenario step cost QEMU per device (guest reads by kind, bytes,
// list compares), and a chart of how one global invalidation grows with pasid-bits and the number
// of devices — measured by running the model, not drawn from a formula.

import { memo, useId, useMemo, useState } from 'react';
import type { TraceIndex } from '../../viz/trace/traceIndex.ts';
import { bytes as fmtBytes, count } from '../../viz/format.ts';
import { formatMetric, layoutCostChart, type CostMetric } from '../../viz/cost/costChart.ts';
import { stepCost } from '../../viz/cost/costModel.ts';
import { useCostGrowth } from './useCostGrowth.ts';

const METRICS: readonly { readonly value: CostMetric; readonly label: string }[] = [
  { value: 'bytes', label: 'Guest bytes read' },
  { value: 'leafReads', label: 'Leaf entries read' },
  { value: 'listCompares', label: 'List compares (linear search)' },
];

/** Re-renders only when the step changes, not on every event of a step. */
export const CostPanel = memo(function CostPanel({
  index,
  step,
}: {
  readonly index: TraceIndex;
  readonly step: number;
}) {
  const cost = index.costs[step] ?? stepCost(index.trace, step);
  const [chartOpen, setChartOpen] = useState(false);
  return (
    <section className="walk-cost" aria-label="Cost">
      <h3 className="walk-pane-title">
        Cost of step {step + 1} <span className="muted">— guest reads QEMU makes, per device</span>
      </h3>
      <div className="walk-cost-table-wrap">
        <table className="walk-cost-table">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th
                scope="col"
                title="vtd_dev_to_context_entry calls: root + context entry (+ PASID-0 check)"
              >
                Ctx lookups
              </th>
              <th scope="col" title="PASID directory entries read (accel walk + lookups)">
                Dir
              </th>
              <th scope="col" title="PASID table entries read (accel walk + lookups)">
                Leaf
              </th>
              <th scope="col">Bytes</th>
              <th
                scope="col"
                title="Comparisons of vtd_accel_fill_pc's linear search of the cache list"
              >
                Compares
              </th>
              <th scope="col" title="entries created / updated / removed">
                +/Δ/−
              </th>
            </tr>
          </thead>
          <tbody>
            {[...cost.devices, ...(cost.devices.length > 1 ? [cost.total] : [])].map((d) => (
              <tr key={d.bdf} className={d === cost.total ? 'total' : undefined}>
                <th scope="row">{d.bdf}</th>
                <td>{count(d.contextLookups)}</td>
                <td title={`${count(d.walkDirReads)} by the accel walk`}>{count(d.dirReads)}</td>
                <td title={`${count(d.walkLeafReads)} by the accel walk`}>{count(d.leafReads)}</td>
                <td>{fmtBytes(d.bytes)}</td>
                <td>{count(d.listCompares)}</td>
                <td>
                  {count(d.created)} / {count(d.updated)} / {count(d.removed)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details className="walk-cost-growth" onToggle={(e) => setChartOpen(e.currentTarget.open)}>
        <summary>How a global invalidation’s cost grows (measured by running the model)</summary>
        {chartOpen ? <CostGrowthChart /> : null}
      </details>
    </section>
  );
});

function CostGrowthChart() {
  const growth = useCostGrowth(true);
  const [metric, setMetric] = useState<CostMetric>('bytes');
  const selectId = useId();
  const width = 360;
  const height = 190;
  const model = useMemo(
    () => layoutCostChart(growth.points, metric, width, height),
    [growth.points, metric],
  );
  const busy = growth.points.length < growth.total && !growth.error;
  return (
    <div className="walk-cost-chart">
      <p className="muted">
        One global PASID-cache invalidation on a guest whose every device has a full PASID directory
        (PDTS 7, all entries present, 1 PASID in 64 present), for pasid-bits 4–20 and 1–8 iommufd
        devices. Each point is a model run in a background worker
        {busy ? ` — ${String(growth.points.length)} of ${String(growth.total)} done…` : '.'}
      </p>
      {growth.error ? <p className="walk-error">Could not measure: {growth.error}</p> : null}
      <label htmlFor={selectId}>Metric </label>
      <select
        id={selectId}
        value={metric}
        onChange={(e) => setMetric(e.target.value as CostMetric)}
      >
        {METRICS.map((m) => (
          <option key={m.value} value={m.value}>
            {m.label}
          </option>
        ))}
      </select>
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${String(width)} ${String(height)}`}
        className="walk-chart"
        role="img"
        aria-label={`${METRICS.find((m) => m.value === metric)?.label ?? ''} by pasid-bits, one line per device count`}
      >
        <rect
          className="chart-plot"
          x={model.plot.x}
          y={model.plot.y}
          width={model.plot.w}
          height={model.plot.h}
        />
        {model.yTicks.map((t) => (
          <g key={t.label} className="chart-tick">
            <line x1={model.plot.x} x2={model.plot.x + model.plot.w} y1={t.y} y2={t.y} />
            <text x={model.plot.x - 6} y={t.y + 4} textAnchor="end">
              {t.label}
            </text>
          </g>
        ))}
        {model.xTicks.map((t) => (
          <text
            key={t.label}
            className="chart-xtick"
            x={t.x}
            y={model.plot.y + model.plot.h + 16}
            textAnchor="middle"
          >
            {t.label}
          </text>
        ))}
        <text
          className="chart-axis"
          x={model.plot.x + model.plot.w}
          y={height - 2}
          textAnchor="end"
        >
          pasid-bits
        </text>
        {model.series.map((s, i) => (
          <g key={s.key} className={`chart-series series-${String(i)}`}>
            <path d={s.path} />
            {s.points.map((p) => (
              <g key={p.label}>
                <SeriesMark index={i} x={p.x} y={p.y} />
                <title>{p.label}</title>
              </g>
            ))}
          </g>
        ))}
      </svg>
      <ul className="walk-chart-legend" aria-label="Chart legend">
        {model.series.map((s, i) => (
          <li key={s.key} className={`chart-series series-${String(i)}`}>
            <svg width="12" height="12" viewBox="-6 -6 12 12" aria-hidden="true">
              <SeriesMark index={i} x={0} y={0} />
            </svg>
            {`${String(s.devices)} device${s.devices === 1 ? '' : 's'}`}
          </li>
        ))}
      </ul>
      {growth.points.length > 0 ? (
        <p className="muted">
          Largest point:{' '}
          {(() => {
            const p = growth.points.reduce((a, b) => (b[metric] > a[metric] ? b : a));
            return `${String(p.devices)} devices × 2^${String(p.pasidBits)} PASIDs: ${formatMetric(metric, p[metric])} (${count(p.leafReads)} leaf reads, model ${p.ms.toFixed(0)} ms)`;
          })()}
          .
        </p>
      ) : null}
    </div>
  );
}

/** A different mark shape per series, so lines are told apart without colour. */
function SeriesMark({
  index,
  x,
  y,
}: {
  readonly index: number;
  readonly x: number;
  readonly y: number;
}) {
  switch (index % 4) {
    case 0:
      return <circle cx={x} cy={y} r={3.5} />;
    case 1:
      return <rect x={x - 3.5} y={y - 3.5} width={7} height={7} />;
    case 2:
      return (
        <path
          d={`M${String(x)},${String(y - 4.5)}L${String(x + 4.5)},${String(y + 3.5)}L${String(x - 4.5)},${String(y + 3.5)}Z`}
        />
      );
    default:
      return (
        <path
          d={`M${String(x)},${String(y - 4.5)}L${String(x + 4.5)},${String(y)}L${String(x)},${String(y + 4.5)}L${String(x - 4.5)},${String(y)}Z`}
        />
      );
  }
}
