// Host faults (host-side.md): make the host refuse one kind of call for one device and PASID
// during one step, to see what QEMU does after a failed attach, detach or PIOTLB forward. Every
// field offers only what the scenario parser accepts (an existing step, an iommufd device, a
// PASID up to 0xfffff, a call that can fail), so an edit never leaves a scenario the run refuses;
// each change is one undoable edit, and a fault that cannot match a call says why.

import { describeStep, hostFaultNote, hostFaultProblem, useAppStore } from '../../state/index.ts';
import { HOST_FAULT_OPS, type HostFault, type HostFaultOp } from '../../model/core.ts';
import { NumberInput } from '../common/inputs.tsx';

const OP_LABEL: Readonly<Record<HostFaultOp, string>> = {
  faultq: 'faultq — fault queue allocation',
  alloc: 'alloc — nested hwpt allocation',
  attach: 'attach — PASID attach',
  detach: 'detach — PASID detach',
  invalidate: 'invalidate — PIOTLB forward',
};

function FaultCard({ fault, index }: { readonly fault: HostFault; readonly index: number }) {
  const scenario = useAppStore((s) => s.scenario);
  const update = useAppStore((s) => s.updateHostFault);
  const remove = useAppStore((s) => s.removeHostFault);
  const id = `hf-${index.toString()}`;
  const problem = hostFaultProblem(scenario, fault);
  const note = problem ? undefined : hostFaultNote(scenario, fault);
  const iommufd = scenario.devices.filter((d) => d.backend === 'iommufd');
  const name = `Host fault ${(index + 1).toString()}`;
  return (
    <div className="device-card" role="group" aria-label={name}>
      <div className="device-card-head">
        <strong>{name}</strong>
        <button
          type="button"
          className="btn small danger"
          aria-label={`Remove host fault ${(index + 1).toString()}`}
          onClick={() => remove(index)}
        >
          Remove
        </button>
      </div>
      <div className="form-grid">
        <label htmlFor={`${id}-step`}>Step</label>
        <div className="control">
          <select
            id={`${id}-step`}
            value={fault.step}
            onChange={(e) => update(index, { step: Number(e.currentTarget.value) })}
          >
            {scenario.steps.map((st, i) => (
              <option key={i} value={i}>
                {(i + 1).toString()}: {describeStep(st)}
              </option>
            ))}
          </select>
        </div>
        <label htmlFor={`${id}-bdf`}>Device</label>
        <div className="control">
          <select
            id={`${id}-bdf`}
            value={fault.bdf}
            onChange={(e) => update(index, { bdf: e.currentTarget.value })}
          >
            {iommufd.map((d) => (
              <option key={d.bdf} value={d.bdf}>
                {d.bdf}
                {d.name ? ` · ${d.name}` : ''}
              </option>
            ))}
          </select>
        </div>
        <label htmlFor={`${id}-pasid`}>PASID</label>
        <div className="control">
          <NumberInput
            id={`${id}-pasid`}
            value={fault.pasid}
            max={0xfffff}
            onCommit={(pasid) => update(index, { pasid })}
          />
        </div>
        <label htmlFor={`${id}-op`}>Call</label>
        <div className="control">
          <select
            id={`${id}-op`}
            value={fault.op}
            onChange={(e) => update(index, { op: e.currentTarget.value as HostFaultOp })}
          >
            {HOST_FAULT_OPS.map((op) => (
              <option key={op} value={op}>
                {OP_LABEL[op]}
              </option>
            ))}
          </select>
          {problem ? <span className="field-error">QEMU would refuse it: {problem}.</span> : null}
          {note ? <span className="hint">Never fires here: {note}</span> : null}
        </div>
      </div>
    </div>
  );
}

export function HostFaultsEditor() {
  const faults = useAppStore((s) => s.scenario.hostFaults);
  const canAdd = useAppStore(
    (s) => s.scenario.steps.length > 0 && s.scenario.devices.some((d) => d.backend === 'iommufd'),
  );
  const add = useAppStore((s) => s.addHostFault);
  return (
    <section className="host-faults" aria-labelledby="host-faults-title">
      <h2 id="host-faults-title">Host faults</h2>
      <p className="hint">
        Make the host refuse a call: every call of that kind for the device and PASID during the
        step fails, and QEMU carries on as its code does (free cannot fail).
      </p>
      {(faults ?? []).map((f, i) => (
        <FaultCard key={i} fault={f} index={i} />
      ))}
      <div className="actions">
        <button type="button" className="btn" disabled={!canAdd} onClick={() => add()}>
          Add host fault
        </button>
        {canAdd ? null : <span className="hint">Needs a step and an iommufd device.</span>}
      </div>
    </section>
  );
}
