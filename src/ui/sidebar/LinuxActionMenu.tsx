// "Linux action": appends what Linux's intel-iommu driver writes and queues for one of its actions
// (set the root table, set up or tear down a PASID entry, map a context, release a device), as plain
// steps labelled with the kernel functions. One undoable edit; a refusal leaves the scenario intact.

import { useId, useRef, useState, type KeyboardEvent } from 'react';
import {
  LINUX_ACTION_KINDS,
  LINUX_FLAVOURS,
  LINUX_FLAVOUR_TITLES,
  PASID_SETUP_KINDS,
  type LinuxActionKind,
  type LinuxFlavour,
  type PasidSetupKind,
} from '../../model/core.ts';
import { useAppStore } from '../../state/index.ts';
import {
  INITIAL_LINUX_FORM,
  linuxFormNeeds,
  readLinuxForm,
  type LinuxActionForm,
} from './linuxActionForm.ts';

export function LinuxActionMenu() {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState<LinuxActionForm>(INITIAL_LINUX_FORM);
  const [error, setError] = useState<string | undefined>();
  const [added, setAdded] = useState<string | undefined>();
  const devices = useAppStore((s) => s.scenario.devices);
  const addLinuxAction = useAppStore((s) => s.addLinuxAction);
  const toggle = useRef<HTMLButtonElement>(null);
  const id = useId();
  const bdf = devices.some((d) => d.bdf === form.bdf) ? form.bdf : (devices[0]?.bdf ?? '');
  const current = { ...form, bdf };
  const needs = linuxFormNeeds(current);

  const patch = (p: Partial<LinuxActionForm>): void => {
    setForm({ ...current, ...p });
    setError(undefined);
    setAdded(undefined);
  };

  const submit = (): void => {
    const read = readLinuxForm(current, devices);
    if (!read.ok) {
      setError(read.message);
      document.getElementById(`${id}-${read.field}`)?.focus();
      return;
    }
    const result = addLinuxAction(read.action, read.options);
    if ('refused' in result) {
      setError(`Linux would not do this: ${result.refused}. The scenario is unchanged.`);
      return;
    }
    const n = result.added;
    setError(undefined);
    setAdded(`Added ${n} step${n === 1 ? '' : 's'} (undo with Ctrl+Z).`);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLElement>): void => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      setOpen(false);
      toggle.current?.focus();
    }
  };

  return (
    <div className="linux-action">
      <button
        ref={toggle}
        type="button"
        className="btn small"
        aria-expanded={open}
        aria-controls={`${id}-form`}
        onClick={() => setOpen(!open)}
      >
        Linux action {open ? '▴' : '▾'}
      </button>
      {open ? (
        <form
          id={`${id}-form`}
          className="linux-action-form form-grid"
          aria-label="Linux action"
          onKeyDown={onKeyDown}
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label htmlFor={`${id}-kind`}>Action</label>
          <div className="control">
            <select
              id={`${id}-kind`}
              value={current.kind}
              onChange={(e) => patch({ kind: e.currentTarget.value as LinuxActionKind })}
            >
              {LINUX_ACTION_KINDS.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.title}
                </option>
              ))}
            </select>
          </div>
          {needs.has('bdf') ? (
            <>
              <label htmlFor={`${id}-bdf`}>Device</label>
              <div className="control">
                <select
                  id={`${id}-bdf`}
                  value={bdf}
                  onChange={(e) => patch({ bdf: e.currentTarget.value })}
                >
                  {devices.length === 0 ? <option value="">no devices</option> : null}
                  {devices.map((d) => (
                    <option key={d.bdf} value={d.bdf}>
                      {d.bdf}
                      {d.name ? ` ${d.name}` : ''}
                    </option>
                  ))}
                </select>
              </div>
            </>
          ) : null}
          {needs.has('setup') ? (
            <>
              <label htmlFor={`${id}-setup`}>Set up as</label>
              <div className="control">
                <select
                  id={`${id}-setup`}
                  value={current.setup}
                  onChange={(e) => patch({ setup: e.currentTarget.value as PasidSetupKind })}
                >
                  {PASID_SETUP_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {k === 'second-stage'
                        ? 'second-stage (DMA domain)'
                        : k === 'pass-through'
                          ? 'pass-through (identity, DID 1)'
                          : 'first-stage'}
                    </option>
                  ))}
                </select>
              </div>
            </>
          ) : null}
          {needs.has('pasid') ? (
            <>
              <label htmlFor={`${id}-pasid`}>PASID</label>
              <div className="control">
                <input
                  id={`${id}-pasid`}
                  className="mono"
                  inputMode="numeric"
                  value={current.pasid}
                  onChange={(e) => patch({ pasid: e.currentTarget.value })}
                />
              </div>
            </>
          ) : null}
          {needs.has('did') ? (
            <>
              <label htmlFor={`${id}-did`}>DID</label>
              <div className="control">
                <input
                  id={`${id}-did`}
                  className="mono"
                  inputMode="numeric"
                  value={current.did}
                  onChange={(e) => patch({ did: e.currentTarget.value })}
                />
              </div>
            </>
          ) : null}
          {needs.has('pageTable') ? (
            <>
              <label htmlFor={`${id}-pageTable`}>Page table</label>
              <div className="control">
                <input
                  id={`${id}-pageTable`}
                  className="mono"
                  value={current.pageTable}
                  onChange={(e) => patch({ pageTable: e.currentTarget.value })}
                />
              </div>
            </>
          ) : null}
          <label htmlFor={`${id}-flavour`}>Driver</label>
          <div className="control">
            <select
              id={`${id}-flavour`}
              value={current.flavour}
              onChange={(e) => patch({ flavour: e.currentTarget.value as LinuxFlavour })}
            >
              {LINUX_FLAVOURS.map((f) => (
                <option key={f} value={f}>
                  {LINUX_FLAVOUR_TITLES[f]}
                </option>
              ))}
            </select>
          </div>
          <span className="label" />
          <div className="control">
            <label>
              <input
                type="checkbox"
                checked={current.cachingMode}
                onChange={(e) => patch({ cachingMode: e.currentTarget.checked })}
              />{' '}
              Caching mode (CAP.CM)
            </label>
          </div>
          <span className="label" />
          <div className="control">
            <button type="submit" className="btn primary small">
              Add steps
            </button>
            {error ? (
              <span className="field-error" role="alert">
                {error}
              </span>
            ) : null}
            {added ? (
              <span className="hint" role="status">
                {added}
              </span>
            ) : null}
          </div>
        </form>
      ) : null}
    </div>
  );
}
