// Both PASID caches at the walk's playhead (the page's one clock): per iommufd device the
// VTDAccelPASIDCacheEntry list in list order (head first); per address space the VTDPASIDCacheEntry.
// Rows the playhead's step has created, updated or removed so far are marked; copies that no longer
// match guest memory are flagged stale, with the invalidation that would fix them. At the run's last
// event the marks are the last invalidation's.

import { useRef, useState } from 'react';
import { PGTT_NAMES } from '../../model/core.ts';
import {
  selectCacheMoment,
  type CacheMoment,
  type CacheRow,
  type CacheTable as CacheTableView,
  deviceFoldKey,
  selectCacheView,
  selectTourHighlight,
  tableFoldKey,
  useAppStore,
} from '../../state/index.ts';
import { ProvenanceDetail } from '../teaching/ProvenanceDetail.tsx';
import { formatCount, formatHex } from '../common/numberText.ts';
import { HostTables } from './HostTables.tsx';
import { useSeen } from './useSeen.ts';
import { LAZY_ROWS, PlaceholderRows, VirtualRowGroups } from './virtualRows.tsx';

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
  const setVariant = useAppStore((s) => s.setVariant);
  if (!row.stale) return null;
  const fixedIn = row.stale.fixedIn;
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
          {fixedIn ? (
            <button type="button" className="btn small" onClick={() => setVariant(fixedIn)}>
              Switch to {fixedIn}
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
  const scrollRef = useRef<HTMLDivElement>(null);
  const kind = table.kind;
  const marked = filter === 'marked' ? table.markedRows() : undefined;
  const count = marked ? marked.length : table.rowCount;
  const seen = useSeen(scrollRef, count > LAZY_ROWS);
  return (
    <div ref={scrollRef} className="cache-scroll">
      <table className="cache" aria-label={caption} aria-rowcount={count + 1}>
        <colgroup>
          {/* Room for 7-digit PASIDs and 6-digit list positions (a list can hold 2^20). */}
          <col style={{ width: 62 }} />
          <col style={{ width: 50 }} />
          <col style={{ width: 40 }} />
          {/* PGTT ("first-stage") and a page-table pointer, leaving the status badge its room. */}
          <col style={{ width: 76 }} />
          <col style={{ width: 76 }} />
          <col />
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
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
        {count === 0 ? (
          <tbody>
            <tr>
              <td colSpan={6} className="hint">
                {filter === 'marked'
                  ? 'Nothing changed or stale.'
                  : kind === 'accel'
                    ? 'Empty list.'
                    : 'No address space.'}
              </td>
            </tr>
          </tbody>
        ) : seen ? (
          <CacheRowGroups table={table} marked={marked} count={count} scrollRef={scrollRef} />
        ) : (
          <PlaceholderRows />
        )}
      </table>
    </div>
  );
}

/** The rows in view of one table (and a few around them), each in a row group of its own with
 * its stale explanation, made from the run's columns when they come into view. */
function CacheRowGroups({
  table,
  marked,
  count,
  scrollRef,
}: {
  table: CacheTableView;
  marked: readonly number[] | undefined;
  count: number;
  scrollRef: React.RefObject<HTMLDivElement | null>;
}) {
  const actions = useRowActions();
  const bdf = table.device.bdf;
  const kind = table.kind;
  // Teaching: the row a tour stop points at, and the row whose provenance is open.
  const highlight = useAppStore(selectTourHighlight);
  const atStep = useAppStore(
    (s) => selectCacheMoment(s)?.step ?? (s.run?.result.steps.length ?? 0) - 1,
  );
  const [provenanceOf, setProvenanceOf] = useState<number | undefined>(undefined);
  const rowAt = (i: number): CacheRow => table.row(marked ? (marked[i] ?? 0) : i);
  return (
    <VirtualRowGroups
      count={count}
      scrollRef={scrollRef}
      row={(index, measure) => {
        const r = rowAt(index);
        const compose = r.stale?.compose
          ? () => {
              const c = r.stale?.compose;
              if (c) actions.compose(c.did, c.pasid);
            }
          : undefined;
        return (
          <tbody key={r.key} data-index={index} ref={measure}>
            <tr
              aria-rowindex={index + 2}
              className={[
                r.change ?? '',
                kind === 'emulated' && !r.valid ? 'invalid' : '',
                r.stale ? 'has-detail' : '',
                highlight?.kind === 'cacheRow' &&
                highlight.cache === kind &&
                highlight.bdf === bdf &&
                highlight.pasid === r.pasid
                  ? 'tour-highlight'
                  : '',
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
                {r.change === 'removed' ? null : (
                  <button
                    type="button"
                    className="cell-link provenance-button"
                    aria-label={`Where did this come from? PASID ${r.pasid} of ${bdf}`}
                    aria-expanded={provenanceOf === r.pasid}
                    title="Where did this come from? The steps that created it, updated it and wrote its words"
                    onClick={(e) => {
                      e.stopPropagation();
                      setProvenanceOf(provenanceOf === r.pasid ? undefined : r.pasid);
                    }}
                  >
                    ?
                  </button>
                )}
                <Marks row={r} />
              </td>
            </tr>
            <StaleDetail row={r} onCompose={compose} />
            {provenanceOf === r.pasid ? (
              <tr className="detail">
                <td colSpan={6}>
                  <ProvenanceDetail cache={kind} bdf={bdf} pasid={r.pasid} atStep={atStep} />
                </td>
              </tr>
            ) : null}
          </tbody>
        );
      }}
    />
  );
}

/** Where the caches are read: the playhead's step and event, and the way to the end of the run. */
function CacheMomentBar({ moment }: { moment: CacheMoment }) {
  const seekTo = useAppStore((s) => s.seekTo);
  const pause = useAppStore((s) => s.pause);
  return (
    <div className="cache-moment">
      <span>
        at step {moment.step + 1} · event {formatCount(moment.eventInStep)} of{' '}
        {formatCount(moment.eventsInStep)}
      </span>
      {moment.atEnd ? (
        <span className="hint">end of the run</span>
      ) : (
        <button
          type="button"
          className="btn small"
          title="Show the caches after the scenario's last step"
          onClick={() => {
            pause();
            seekTo(moment.lastEvent);
          }}
        >
          Jump to end
        </button>
      )}
    </div>
  );
}

export function CachesPanel() {
  const view = useAppStore(selectCacheView);
  const moment = useAppStore(selectCacheMoment);
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
        {moment ? <CacheMomentBar moment={moment} /> : null}
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
                {formatCount(t.length)} entr{t.length === 1 ? 'y' : 'ies'}, head first
                {!fsts ? ' · fsts off: the accel path never runs' : ''}
              </span>
            </div>
            <CacheTable caption={`Accel PASID cache ${t.device.bdf}`} table={t} filter={filter} />
          </div>
        ))}
        <HostTables />
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
          {moment && !moment.atEnd
            ? `Marks show what step ${String(moment.step + 1)} has changed up to this event. Stale: the cached copy no longer matches guest memory as it is at this event.`
            : `Marks show what step ${view.focusStep >= 0 ? String(view.focusStep + 1) : '—'} (the last invalidation) changed. Stale: the cached copy no longer matches guest memory after the last step.`}{' '}
          Variant: {variant}.
        </p>
      </div>
    </section>
  );
}
