// The structure browser: per device, root entry → context entry → PASID directory → PASID tables →
// entries. A virtualised tree (only visible rows exist in the DOM); empty ranges are one row each and
// tables fold, so a 16,384-entry directory or 10^5 present PASIDs stay fast. One tab stop: arrows move,
// Enter / Space select, → / ← unfold and fold.

import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { PGTT_NAMES } from '../../model/core.ts';
import {
  deviceFoldKey,
  type EntryRef,
  entryRefKey,
  sameEntryRef,
  selectCacheView,
  type SharedWith,
  type StructureRow,
  structureRowsOf,
  tableFoldKey,
  useAppStore,
} from '../../state/index.ts';
import { formatCount, formatHex } from '../common/numberText.ts';

const ROW_HEIGHT = 24;
const INDENT = 14;

function rowRef(row: StructureRow | undefined): EntryRef | undefined {
  return row && 'ref' in row ? row.ref : undefined;
}

function foldKey(row: StructureRow): string | undefined {
  if (row.kind === 'device') return deviceFoldKey(row.bdf);
  if (row.kind === 'dir') return tableFoldKey(row.bdf, row.index);
  return undefined;
}

function isFolded(row: StructureRow): boolean | undefined {
  if (row.kind === 'device' || row.kind === 'dir') return row.folded;
  return undefined;
}

function accessibleName(row: StructureRow): string {
  switch (row.kind) {
    case 'device':
      return `Device ${row.bdf}${row.device.name ? ` ${row.device.name}` : ''}, ${row.device.backend}, ${row.presentPasids} present PASIDs`;
    case 'root':
      return `Root entry, ${row.present ? 'present' : 'not present'}`;
    case 'context':
      return `Context entry, ${row.present ? 'present' : 'not present'}, PDTS ${row.pdts}`;
    case 'directory':
      return `PASID directory, ${row.entries} entries, ${row.presentEntries} present`;
    case 'dir-gap':
      return `Directory entries ${row.from} to ${row.to} empty`;
    case 'dir':
      return `Directory entry ${row.index}, ${row.present ? 'present' : 'not present'}, ${row.presentPasids} present PASIDs`;
    case 'pasid-gap':
      return `PASIDs ${row.from} to ${row.to} empty`;
    case 'pasid':
      return `PASID ${row.pasid}, ${row.summary.present ? 'present' : 'not present'}, DID ${row.summary.did}${row.mark ? `, ${row.mark}` : ''}`;
    case 'note':
      return row.text;
  }
}

function Dot({ present }: { present: boolean }) {
  return <span className={`dot ${present ? 'present' : 'absent'}`} aria-hidden="true" />;
}

/** "a, b, c and 16,380 more" */
function sharedNames(shared: SharedWith): string {
  const rest = shared.count - shared.names.length;
  return rest > 0
    ? `${shared.names.join(', ')} and ${formatCount(rest)} more`
    : shared.names.join(', ');
}

function Shared({ with: shared }: { with: SharedWith }) {
  if (shared.count === 0) return null;
  return (
    <span className="badge shared" title={`Shared with ${sharedNames(shared)}`}>
      shared ×{formatCount(shared.count + 1)}
    </span>
  );
}

function RowContent({ row }: { row: StructureRow }) {
  switch (row.kind) {
    case 'device':
      return (
        <>
          <span className="mono">{row.bdf}</span>
          <span className="label" style={{ fontWeight: 400, color: 'var(--muted)' }}>
            {row.device.name ?? ''}
          </span>
          <span className="tail">
            <span className="badge muted">{row.device.backend}</span>
            <span className="hint">{row.presentPasids} PASIDs</span>
          </span>
        </>
      );
    case 'root':
      return (
        <>
          <Dot present={row.present} />
          <span className="kind">Root entry</span>
          <span className="label hint">{row.half === 0 ? 'lower half' : 'upper half'}</span>
          <span
            className="tail mono hint"
            title={
              row.sharedWith.count
                ? `Same root entry as ${sharedNames(row.sharedWith)} (same bus)`
                : undefined
            }
          >
            {formatHex(row.addr)}
          </span>
        </>
      );
    case 'context':
      return (
        <>
          <Dot present={row.present} />
          <span className="kind">Context entry</span>
          <span className="label hint">PDTS {row.pdts}</span>
          <span className="tail mono hint">{formatHex(row.addr)}</span>
        </>
      );
    case 'directory':
      return (
        <>
          <span className="kind">PASID directory</span>
          <span className="label hint">
            {row.presentEntries}/{row.entries} present
          </span>
          <span className="tail">
            <Shared with={row.sharedWith} />
            <span className="mono hint">{formatHex(row.addr)}</span>
          </span>
        </>
      );
    case 'dir-gap':
      return (
        <span className="label">
          dir[{row.from}]{row.to > row.from ? `–[${row.to}]` : ''}: empty ({row.to - row.from + 1})
        </span>
      );
    case 'dir':
      return (
        <>
          <Dot present={row.present} />
          <span className="kind mono">dir[{row.index}]</span>
          <span className="label hint mono">
            {row.index * 64}–{row.index * 64 + 63}
          </span>
          <span className="tail">
            <Shared with={row.sharedWith} />
            <span className="hint">{row.presentPasids} present</span>
          </span>
        </>
      );
    case 'pasid-gap':
      return (
        <span className="label">
          PASID {row.from}
          {row.to > row.from ? `–${row.to}` : ''}: empty ({row.to - row.from + 1})
        </span>
      );
    case 'pasid':
      return (
        <>
          <Dot present={row.summary.present} />
          <span className="mono">PASID {row.pasid}</span>
          <span className="label hint">
            DID {row.summary.did} · {PGTT_NAMES[row.summary.pgtt] ?? row.summary.pgtt}
          </span>
          <span className="tail">
            {row.mark === 'stale' ? (
              <span className="badge stale" title="Cached copy differs from guest memory">
                ⚠ stale
              </span>
            ) : row.mark === 'cached' ? (
              <span className="badge cached" title="Held by a PASID cache">
                cached
              </span>
            ) : null}
          </span>
        </>
      );
    case 'note':
      return <span className="label">{row.text}</span>;
  }
}

export function StructureBrowser() {
  // A new scenario's rows (its directories scanned) are made in a render of their own, after the
  // rest of the page has taken the scenario in: two shorter tasks instead of one long one.
  const scenario = useDeferredValue(useAppStore((s) => s.scenario));
  const fold = useDeferredValue(useAppStore((s) => s.fold));
  const cacheView = useDeferredValue(useAppStore(selectCacheView));
  const rows = useMemo(
    () => structureRowsOf(scenario, fold, cacheView),
    [scenario, fold, cacheView],
  );
  const selection = useAppStore((s) => s.selection);
  const select = useAppStore((s) => s.select);
  const setFold = useAppStore((s) => s.setFold);
  const devices = useAppStore((s) => s.scenario.devices);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const [goDevice, setGoDevice] = useState('');
  const [goPasid, setGoPasid] = useState('');
  const [goError, setGoError] = useState<string | undefined>(undefined);

  // The virtualiser hands out functions React Compiler cannot memoise; this is the documented use.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 16,
  });

  const selectedIndex = useMemo(
    () => (selection ? rows.indexOf(selection) : -1),
    [rows, selection],
  );

  // Keep the selected entry in view when the selection changes from elsewhere (Go to PASID,
  // caches): scroll to the row that holds it, and once more when its own row appears (the rows
  // of a table unfolded for it come a render after the selection). Not again after that.
  const selectionKey = selection ? entryRefKey(selection) : '';
  const scrolled = useRef<{ readonly key: string; readonly exact: boolean }>({
    key: '',
    exact: false,
  });
  useEffect(() => {
    if (!selection || selectedIndex < 0) return;
    const exact = sameEntryRef(rowRef(rows.at(selectedIndex)), selection);
    const prev = scrolled.current;
    if (prev.key === selectionKey && (prev.exact || !exact)) return;
    scrolled.current = { key: selectionKey, exact };
    virtual.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selection, selectionKey, selectedIndex, rows, virtual]);

  const activeIndex = Math.min(active, Math.max(0, rows.length - 1));

  const toggle = (row: StructureRow): void => {
    const key = foldKey(row);
    const folded = isFolded(row);
    if (key !== undefined && folded !== undefined) setFold(key, !folded);
  };

  const activate = (index: number): void => {
    const row = rows.at(index);
    if (!row) return;
    setActive(index);
    const ref = rowRef(row);
    if (ref) select(ref);
    else if (foldKey(row)) toggle(row);
  };

  const move = (index: number): void => {
    const i = Math.max(0, Math.min(rows.length - 1, index));
    setActive(i);
    virtual.scrollToIndex(i, { align: 'auto' });
    const focusRow = (): boolean => {
      const el = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${i}"]`);
      el?.focus();
      return el !== null && el !== undefined;
    };
    // The row exists already unless the list had to scroll it into being.
    if (!focusRow()) requestAnimationFrame(() => void focusRow());
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const row = rows.at(activeIndex);
    switch (e.key) {
      case 'ArrowDown':
        move(activeIndex + 1);
        break;
      case 'ArrowUp':
        move(activeIndex - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(rows.length - 1);
        break;
      case 'PageDown':
        move(activeIndex + 15);
        break;
      case 'PageUp':
        move(activeIndex - 15);
        break;
      case 'ArrowRight':
        if (row && isFolded(row) === true) toggle(row);
        else move(activeIndex + 1);
        break;
      case 'ArrowLeft':
        if (row && isFolded(row) === false) toggle(row);
        break;
      case 'Enter':
      case ' ':
        activate(activeIndex);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const goTo = (): void => {
    const bdf = goDevice || devices[0]?.bdf;
    const t = goPasid.trim();
    const pasid = /^0x[0-9a-f]+$/i.test(t)
      ? parseInt(t.slice(2), 16)
      : /^\d+$/.test(t)
        ? Number(t)
        : NaN;
    if (!bdf) return setGoError('Add a device first.');
    if (!Number.isInteger(pasid) || pasid < 0 || pasid > 0xfffff) {
      return setGoError('A PASID is 0–1048575 (or 0x0–0xfffff).');
    }
    setGoError(undefined);
    setFold(deviceFoldKey(bdf), false);
    setFold(tableFoldKey(bdf, (pasid >> 6) & 0x3fff), false);
    select({ kind: 'pasid', bdf, pasid });
  };

  return (
    <>
      <div className="browser-tools">
        <form
          className="header-group"
          onSubmit={(e) => {
            e.preventDefault();
            goTo();
          }}
        >
          <label htmlFor="goto-pasid">
            Go to<span className="visually-hidden"> PASID</span>
          </label>
          {devices.length > 1 ? (
            <select
              aria-label="Device for Go to PASID"
              value={goDevice || devices[0]?.bdf}
              onChange={(e) => setGoDevice(e.currentTarget.value)}
            >
              {devices.map((d) => (
                <option key={d.bdf} value={d.bdf}>
                  {d.bdf}
                </option>
              ))}
            </select>
          ) : null}
          <input
            id="goto-pasid"
            type="text"
            className="mono"
            placeholder="e.g. 5"
            value={goPasid}
            aria-invalid={goError ? true : undefined}
            onChange={(e) => setGoPasid(e.currentTarget.value)}
          />
          <button type="submit" className="btn small">
            Go
          </button>
        </form>
      </div>
      {goError ? (
        <div className="field-error" role="alert" style={{ padding: '2px 8px' }}>
          {goError}
        </div>
      ) : null}
      <div
        ref={scrollRef}
        className="tree"
        role="tree"
        aria-label="Guest structures"
        onKeyDown={onKeyDown}
      >
        {rows.length === 0 ? (
          <div className="empty">No devices. Add one in the Devices tab.</div>
        ) : null}
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((item) => {
            const row = rows.at(item.index);
            if (!row) return null;
            const ref = rowRef(row);
            const folded = isFolded(row);
            const selectable = ref !== undefined || folded !== undefined;
            return (
              <div
                key={row.key}
                data-index={item.index}
                role="treeitem"
                aria-level={row.depth + 1}
                aria-label={accessibleName(row)}
                aria-selected={ref ? sameEntryRef(ref, selection) : undefined}
                aria-expanded={folded === undefined ? undefined : !folded}
                tabIndex={item.index === activeIndex ? 0 : -1}
                className={`tree-row ${row.kind}${selectable ? ' selectable' : ''}${
                  row.kind.endsWith('gap') ? ' gap-row' : ''
                }${row.kind === 'note' ? ' note-row' : ''}`}
                style={{
                  transform: `translateY(${item.start}px)`,
                  paddingLeft: 4 + row.depth * INDENT,
                }}
                onClick={() => activate(item.index)}
                onFocus={() => setActive(item.index)}
              >
                {folded !== undefined ? (
                  <button
                    type="button"
                    className="twisty"
                    tabIndex={-1}
                    aria-hidden="true"
                    onClick={(e) => {
                      e.stopPropagation();
                      toggle(row);
                    }}
                  >
                    {folded ? '▶' : '▼'}
                  </button>
                ) : (
                  <span className="twisty-spacer" />
                )}
                <RowContent row={row} />
              </div>
            );
          })}
        </div>
      </div>
    </>
  );
}
