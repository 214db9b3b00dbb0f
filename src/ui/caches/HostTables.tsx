// One table per iommufd device: the host's side of the PASID cache ("Host iommufd BB:DD.F"). It
// shows what no cache shows: failed attaches, PASID 0 left on the GPA→HPA parent, leaked hwpts.

import { useRef } from 'react';
import {
  hostRowsAt,
  selectCacheMoment,
  selectCacheView,
  useAppStore,
  type HostRow,
} from '../../state/index.ts';
import { formatCount } from '../common/numberText.ts';
import { useSeen } from './useSeen.ts';
import { LAZY_ROWS, PlaceholderRows, VirtualRowGroups } from './virtualRows.tsx';

/** The kind as the narrow column shows it (the full words are the cell's title). */
const KIND_LABEL: Readonly<Record<string, string>> = {
  'nesting parent (GPA→HPA)': 'parent',
  'nested first stage': 'nested S1',
  'fault queue': 'fault q.',
};

const STATE_LABEL = {
  attached: 'attached',
  unbound: 'failed: not bound',
  bypass: 'failed: bypass',
  leaked: 'leaked',
} as const;

/** One device's host table; long ones (a 2^20-PASID device binds 16,384 PASIDs) are virtualised. */
function HostTable({ name, rows }: { name: string; rows: readonly HostRow[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const seen = useSeen(scrollRef, rows.length > LAZY_ROWS);
  return (
    <div ref={scrollRef} className="cache-scroll">
      <table className="cache host-table" aria-label={name} aria-rowcount={rows.length + 1}>
        <colgroup>
          {/* Room for 7-digit PASIDs; the state and its consequence wrap in what is left. */}
          <col style={{ width: 62 }} />
          <col style={{ width: 44 }} />
          <col style={{ width: 76 }} />
          <col style={{ width: 76 }} />
          <col />
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            <th className="num">PASID</th>
            <th className="num">hwpt</th>
            <th>Kind</th>
            <th>Page table</th>
            <th>State</th>
          </tr>
        </thead>
        {seen ? (
          <VirtualRowGroups
            count={rows.length}
            scrollRef={scrollRef}
            row={(index, measure) => {
              const r = rows[index];
              if (!r) return null;
              return (
                <tbody key={`${r.kind}-${r.pasid}-${r.hwpt}`} data-index={index} ref={measure}>
                  <tr aria-rowindex={index + 2} className={r.state === 'attached' ? '' : 'marked'}>
                    <td className="num mono">{r.pasid}</td>
                    <td className="num mono">{r.hwpt || '—'}</td>
                    <td title={r.kind}>{KIND_LABEL[r.kind] ?? r.kind}</td>
                    <td className="mono">{r.pgtbl}</td>
                    <td className="marks">
                      {r.state === 'attached' ? (
                        r.text
                      ) : (
                        <>
                          <span className={`badge ${r.state === 'leaked' ? 'stale' : 'removed'}`}>
                            {STATE_LABEL[r.state]}
                          </span>{' '}
                          {r.text}
                        </>
                      )}
                    </td>
                  </tr>
                </tbody>
              );
            }}
          />
        ) : (
          <PlaceholderRows />
        )}
      </table>
    </div>
  );
}

export function HostTables() {
  const run = useAppStore((s) => s.run);
  const devices = useAppStore((s) => s.scenario.devices);
  const variant = useAppStore((s) => s.scenario.variant);
  // One clock: the host as it is at the walk's playhead (the run's own final state at its end).
  const cursor = useAppStore((s) => s.cursor);
  const view = useAppStore(selectCacheView);
  const moment = useAppStore(selectCacheMoment);
  if (!run) return null;
  const atEnd = !moment || moment.atEnd;
  const iommufd = devices.filter((d) => d.backend === 'iommufd' && run.caches.host[d.bdf]);
  return (
    <>
      {iommufd.map((d) => {
        const totals = run.caches.host[d.bdf]?.totals;
        const sent = Object.keys(run.caches.host[d.bdf]?.attached ?? {}).length;
        const when = atEnd
          ? 'what the host kernel holds after the last step'
          : `what the host kernel holds at step ${String(moment.step + 1)}, event ${String(moment.eventInStep)}`;
        return (
          <div className="cache-block" key={`h-${d.bdf}`}>
            <div className="cache-block-head">
              <h3>
                Host iommufd · <span className="mono">{d.bdf}</span>
              </h3>
              <span className="hint">
                {atEnd && totals
                  ? `${when}: the first ${formatCount(sent)} of ${formatCount(totals.attached)} attached PASIDs`
                  : when}
              </span>
            </div>
            <HostTable
              name={`Host iommufd ${d.bdf}`}
              rows={hostRowsAt(run, d.bdf, variant, cursor, view)}
            />
          </div>
        );
      })}
    </>
  );
}
