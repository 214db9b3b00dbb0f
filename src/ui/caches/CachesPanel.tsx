// Both PASID caches after the scenario's last step. Per iommufd device the VTDAccelPASIDCacheEntry
// list in list order (head first); per address space the VTDPASIDCacheEntry. Rows the last
// invalidation created, updated or removed are marked; copies that no longer match guest memory are
// flagged stale, with the invalidation that would fix them.

import { Fragment, useState } from 'react';
import { PGTT_NAMES } from '../../model/core.ts';
import { useAppStore } from '../../state/hooks.ts';
import {
  selectCacheView,
  type CacheRow,
  type CacheTable as CacheTableView,
} from '../../state/selectors.ts';
import { deviceFoldKey, tableFoldKey } from '../../state/structureTree.ts';
import { formatHex } from '../common/numberText.ts';

const PAGE = 200;

type Filter = 'all' | 'marked';

function Marks({ row }: { row: CacheRow }) {
  return (
    <>
      {row.change ? (
        <span className={`badge ${row.change}`}>
          {row.change === 'created' ? '+ ' : row.change === 'updated' ? '~ ' : '− '}
          {row.change}
        </span>
      ) : null}{' '}
      {row.stale ? <span className="badge stale">⚠ stale</span> : null}
      {row.diff.length > 0 ? (
        <span className="diff">
          {row.diff.map((d) => `${d.label} ${d.before}→${d.after}`).join(', ')}
        </span>
      ) : null}
    </>
  );
}

function StaleDetail({ row, onCompose }: { row: CacheRow; onCompose?: (() => void) | undefined }) {
  if (!row.stale) return null;
  return (
    <tr className="detail">
      <td colSpan={6}>
        <span className="stale-note">
          {row.stale.reason} {row.stale.remedy}{' '}
          {onCompose ? (
            <button type="button" className="btn small" onClick={onCompose}>
              Compose it
            </button>
          ) : null}
        </span>
      </td>
    </tr>
  );
}

function useRowActions() {
  const select = useAppStore((s) => s.select);
  const setFold = useAppStore((s) => s.setFold);
  const setTab = useAppStore((s) => s.setSidebarTab);
  const setComposer = useAppStore((s) => s.setComposer);
  return {
    show(bdf: string, pasid: number) {
      setTab('structures');
      setFold(deviceFoldKey(bdf), false);
      setFold(tableFoldKey(bdf, (pasid >> 6) & 0x3fff), false);
      select({ kind: 'pasid', bdf, pasid });
    },
    compose(did: number, pasid: number) {
      setComposer({ mode: 'pasid-cache', granularity: 'pasid', did, pasid });
    },
  };
}

function CacheTable({
  caption,
  table,
  filter,
}: {
  caption: string;
  table: CacheTableView;
  filter: Filter;
}) {
  const [limit, setLimit] = useState(PAGE);
  const actions = useRowActions();
  const bdf = table.device.bdf;
  const kind = table.kind;
  // Rows are made only for the page shown: a list can hold 10^5 entries.
  const marked = filter === 'marked' ? table.markedRows() : undefined;
  const visibleCount = marked ? marked.length : table.rowCount;
  const shown: CacheRow[] = [];
  for (let i = 0; i < Math.min(limit, visibleCount); i++) {
    shown.push(table.row(marked ? (marked[i] ?? 0) : i));
  }
  return (
    <>
      <table className="cache" aria-label={caption}>
        <colgroup>
          <col style={{ width: 54 }} />
          <col style={{ width: 40 }} />
          <col style={{ width: 44 }} />
          <col style={{ width: 84 }} />
          <col style={{ width: 92 }} />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th className="num">PASID</th>
            <th className="num" title={kind === 'accel' ? 'Position from the list head' : 'Valid'}>
              {kind === 'accel' ? 'Pos' : 'Valid'}
            </th>
            <th className="num">DID</th>
            <th>PGTT</th>
            <th>Pointer</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 ? (
            <tr>
              <td colSpan={6} className="hint">
                {kind === 'accel' ? 'Empty list.' : 'No address space.'}
              </td>
            </tr>
          ) : null}
          {shown.map((r) => {
            const compose = r.stale?.compose
              ? () => {
                  const c = r.stale?.compose;
                  if (c) actions.compose(c.did, c.pasid);
                }
              : undefined;
            return (
              <Fragment key={r.key}>
                <tr
                  className={[
                    r.change ?? '',
                    kind === 'emulated' && !r.valid ? 'invalid' : '',
                    r.stale ? 'has-detail' : '',
                  ]
                    .filter(Boolean)
                    .join(' ')}
                  title={`PASID ${r.pasid} (0x${r.pasid.toString(16)}) — click to show the guest entry`}
                  onClick={() => actions.show(bdf, r.pasid)}
                  style={{ cursor: 'pointer' }}
                >
                  <td className="num">
                    <button
                      type="button"
                      className="cell-link"
                      title={`Show PASID ${r.pasid} of ${bdf} in the structure browser`}
                      onClick={(e) => {
                        e.stopPropagation();
                        actions.show(bdf, r.pasid);
                      }}
                    >
                      {r.pasid}
                    </button>
                  </td>
                  <td className="num">
                    {kind === 'accel' ? (r.position ?? '—') : r.valid ? 'yes' : 'no'}
                  </td>
                  <td className="num">{r.did}</td>
                  <td>{PGTT_NAMES[r.pgtt] ?? r.pgtt}</td>
                  <td className="mono" title={r.pointerLabel}>
                    {r.pointer !== undefined ? formatHex(r.pointer) : '—'}
                  </td>
                  <td className="marks">
                    <Marks row={r} />
                  </td>
                </tr>
                <StaleDetail row={r} onCompose={compose} />
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {visibleCount > shown.length ? (
        <div className="actions" style={{ padding: '4px 10px' }}>
          <span className="hint">
            Showing {shown.length.toLocaleString('en-US')} of {visibleCount.toLocaleString('en-US')}
          </span>
          <button type="button" className="btn small" onClick={() => setLimit(limit + PAGE * 5)}>
            Show more
          </button>
        </div>
      ) : null}
    </>
  );
}

export function CachesPanel() {
  const view = useAppStore(selectCacheView);
  const fsts = useAppStore((s) => s.scenario.iommu.fsts);
  const variant = useAppStore((s) => s.scenario.variant);
  const [filter, setFilter] = useState<Filter>('all');
  const empty = view.accel.length === 0 && view.emulated.length === 0;
  return (
    <section className="panel caches-panel" aria-label="Caches">
      <div className="panel-head">
        <h2>Caches</h2>
        <span className="aside">
          {view.staleTotal > 0 ? (
            <span className="badge stale">{view.staleTotal} stale</span>
          ) : null}
          <label htmlFor="cache-filter" className="visually-hidden">
            Show rows
          </label>
          <select
            id="cache-filter"
            value={filter}
            onChange={(e) => setFilter(e.currentTarget.value as Filter)}
          >
            <option value="all">All rows</option>
            <option value="marked">Changed or stale</option>
          </select>
        </span>
      </div>
      <div className="panel-body flush">
        {view.iqe ? (
          <div className="iqe-banner" role="note">
            FSTS.IQE is set: the queue is stopped and later invalidations are blocked. Use “Clear
            IQE”.
          </div>
        ) : null}
        {empty ? <div className="empty">No device has a PASID cache yet.</div> : null}
        {view.accel.map((t) => (
          <div className="cache-block" key={`a-${t.device.bdf}`}>
            <div className="cache-block-head">
              <h3>
                Accel · <span className="mono">{t.device.bdf}</span>
              </h3>
              <span className="hint">
                {t.length.toLocaleString('en-US')} entr{t.length === 1 ? 'y' : 'ies'}, head first
                {!fsts ? ' · fsts off: the accel path never runs' : ''}
              </span>
            </div>
            <CacheTable caption={`Accel PASID cache ${t.device.bdf}`} table={t} filter={filter} />
          </div>
        ))}
        {view.emulated.map((t) => (
          <div className="cache-block" key={`e-${t.device.bdf}`}>
            <div className="cache-block-head">
              <h3>
                Emulated · <span className="mono">{t.device.bdf}</span>
              </h3>
              <span className="hint">VTDPASIDCacheEntry per address space</span>
            </div>
            <CacheTable
              caption={`Emulated PASID cache ${t.device.bdf}`}
              table={t}
              filter={filter}
            />
          </div>
        ))}
        <p className="hint" style={{ padding: '0 10px 10px' }}>
          Marks show what step {view.focusStep >= 0 ? view.focusStep + 1 : '—'} (the last
          invalidation) changed. Stale: the cached copy no longer matches guest memory after the
          last step. Variant: {variant}.
        </p>
      </div>
    </section>
  );
}
