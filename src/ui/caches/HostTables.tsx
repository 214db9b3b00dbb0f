// One table per iommufd device: the host's side of the PASID cache ("Host iommufd BB:DD.F"). It
// shows what no cache shows: failed attaches, PASID 0 left on the GPA→HPA parent, leaked hwpts.

import { hostRowsAt, selectCacheMoment, selectCacheView, useAppStore } from '../../state/index.ts';

const STATE_LABEL = {
  attached: 'attached',
  unbound: 'failed: not bound',
  bypass: 'failed: bypass',
  leaked: 'leaked',
} as const;

export function HostTables() {
  const run = useAppStore((s) => s.run);
  const devices = useAppStore((s) => s.scenario.devices);
  const variant = useAppStore((s) => s.scenario.variant);
  const cursor = useAppStore((s) => s.cursor);
  const view = useAppStore(selectCacheView);
  const moment = useAppStore(selectCacheMoment);
  if (!run) return null;
  const when =
    moment && !moment.atEnd
      ? `what the host kernel holds at step ${String(moment.step + 1)}, event ${String(moment.eventInStep)}`
      : 'what the host kernel holds after the last step';
  const iommufd = devices.filter((d) => d.backend === 'iommufd' && run.caches.host[d.bdf]);
  return (
    <>
      {iommufd.map((d) => {
        const rows = hostRowsAt(run, d.bdf, variant, cursor, view);
        const name = `Host iommufd ${d.bdf}`;
        return (
          <div className="cache-block" key={`h-${d.bdf}`}>
            <div className="cache-block-head">
              <h3>
                Host iommufd · <span className="mono">{d.bdf}</span>
              </h3>
              <span className="hint">{when}</span>
            </div>
            <div className="cache-scroll">
              <table className="cache host-table" aria-label={name}>
                <thead>
                  <tr>
                    <th className="num">PASID</th>
                    <th className="num">hwpt</th>
                    <th>Kind</th>
                    <th>Page table</th>
                    <th>State</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr
                      key={`${r.kind}-${r.pasid}-${r.hwpt}`}
                      className={r.state === 'attached' ? '' : 'marked'}
                    >
                      <td className="num mono">{r.pasid}</td>
                      <td className="num mono">{r.hwpt || '—'}</td>
                      <td>{r.kind}</td>
                      <td className="mono">{r.pgtbl}</td>
                      <td>
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
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
    </>
  );
}
