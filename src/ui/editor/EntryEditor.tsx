// The entry editor: every field of the selected root / context / directory / PASID entry with the
// control its kind calls for, the raw 64-bit words (editable too), and a preview of what QEMU will
// make of the entry. Both sides write the same raw words, so they cannot disagree.

import { useMemo } from 'react';
import type { BitField, StructureLayout } from '../../model/index.ts';
import {
  currentMemory,
  entryRefKey,
  LAYOUT_OF,
  previewEntry,
  type PreviewLine,
  type ResolvedEntry,
  selectSelectedEntry,
  useAppStore,
} from '../../state/index.ts';
import { HexInput } from '../common/inputs.tsx';
import { formatHex } from '../common/numberText.ts';
import { BitStrip } from './BitStrip.tsx';
import { FieldRow } from './FieldControl.tsx';
import { bitRange } from './bitRange.ts';

const MARKS: Record<PreviewLine['tone'], string> = { ok: '✓', error: '✕', warn: '!', info: 'i' };

function labelsFor(layout: StructureLayout): Map<BitField, string> {
  const counts = new Map<string, number>();
  for (const f of layout.fields) counts.set(f.label, (counts.get(f.label) ?? 0) + 1);
  const out = new Map<BitField, string>();
  for (const f of layout.fields) {
    out.set(
      f,
      (counts.get(f.label) ?? 0) > 1 ? `${f.label} val[${f.word}] ${bitRange(f)}` : f.label,
    );
  }
  return out;
}

function editNote(entry: ResolvedEntry): string {
  const r = entry.ref;
  switch (r.kind) {
    case 'root':
      return `Edit root entry of bus ${entry.device.bus.toString(16).padStart(2, '0')}`;
    case 'context':
      return `Edit context entry of ${r.bdf}`;
    case 'dir':
      return `Edit PASID directory entry ${r.index} of ${r.bdf}`;
    case 'pasid':
      return `Edit PASID ${r.pasid} entry of ${r.bdf}`;
  }
}

export function EntryEditor() {
  const resolution = useAppStore(selectSelectedEntry);
  const scenario = useAppStore((s) => s.scenario);
  const writeEntry = useAppStore((s) => s.writeEntry);
  const lastStep = scenario.steps.length;

  const preview = useMemo(
    () => (resolution?.ok ? previewEntry(scenario, currentMemory(scenario), resolution.entry) : []),
    [scenario, resolution],
  );

  if (!resolution) {
    return (
      <section className="panel editor-panel" aria-label="Entry editor">
        <div className="panel-head">
          <h2>Entry editor</h2>
        </div>
        <div className="empty">
          Select a root, context, directory or PASID entry in the structure browser to edit it field
          by field or as raw words. Each edit becomes a guest <code>write</code> step at the end of
          the scenario; the structure browser always shows memory after the last step.
        </div>
      </section>
    );
  }

  if (!resolution.ok) {
    return (
      <section className="panel editor-panel" aria-label="Entry editor">
        <div className="panel-head">
          <h2>Entry editor</h2>
        </div>
        <div className="empty">{resolution.reason}</div>
      </section>
    );
  }

  const entry = resolution.entry;
  const layout = LAYOUT_OF[entry.kind];
  const labels = labelsFor(layout);
  const write = (words: readonly bigint[]): void => writeEntry(entry.addr, words, editNote(entry));
  const merges =
    scenario.steps[lastStep - 1]?.op === 'write' &&
    (scenario.steps[lastStep - 1] as { addr: bigint }).addr === entry.addr;

  return (
    <section className="panel editor-panel" aria-label="Entry editor">
      <div className="panel-head">
        <h2 className="editor-head-title">{entry.title}</h2>
        <span className="aside mono" title="Guest physical address of the entry">
          @ {formatHex(entry.addr)}
        </span>
      </div>
      {/* Keyed by entry: half-typed drafts never carry over to another entry. */}
      <div className="panel-body" key={entryRefKey(entry.ref)}>
        <div className="preview" aria-label="What QEMU makes of this entry" role="group">
          {preview.map((l, i) => (
            <div key={i} className={`preview-line ${l.tone}`}>
              <span className="mark" aria-hidden="true">
                {MARKS[l.tone]}
              </span>
              <span>{l.text}</span>
            </div>
          ))}
        </div>
        <div className="editor-grid">
          <div>
            <h3 className="section">Fields — {layout.name}</h3>
            <div className="fields">
              {layout.fields.map((f) => (
                <FieldRow
                  key={f.name}
                  field={f}
                  words={entry.words}
                  onWords={write}
                  labelText={labels.get(f) ?? f.label}
                />
              ))}
            </div>
          </div>
          <div>
            <h3 className="section">Raw words (little-endian, val[0] first)</h3>
            <div className="words">
              {entry.words.map((w, i) => (
                <div className="word-row" key={i}>
                  <label htmlFor={`word-${i}`}>val[{i}]</label>
                  <HexInput
                    id={`word-${i}`}
                    value={w}
                    digits={16}
                    onCommit={(v) => write(entry.words.map((x, k) => (k === i ? v : x)))}
                  />
                  <BitStrip layout={layout} word={i} words={entry.words} />
                </div>
              ))}
            </div>
          </div>
        </div>
        <p className="editor-foot">
          {merges
            ? `Your edits of this entry are merged into step ${lastStep} (a guest write).`
            : 'The next edit appends a guest write step at the end of the scenario.'}{' '}
          Undo with <kbd>Ctrl</kbd>+<kbd>Z</kbd>.
        </p>
      </div>
    </section>
  );
}
