// The "Linux action" form's values as typed, and reading them into a driver action. Pure, so the
// refusals a user can meet are tested without a browser.

import type {
  AppendLinuxOptions,
  LinuxAction,
  LinuxActionKind,
  LinuxFlavour,
  PasidSetupKind,
} from '../../model/core.ts';
import { LINUX_ACTION_KINDS } from '../../model/core.ts';
import { parseHexText, parseNumberText } from '../common/numberText.ts';

export interface LinuxActionForm {
  readonly kind: LinuxActionKind;
  readonly bdf: string;
  readonly pasid: string;
  readonly did: string;
  readonly setup: PasidSetupKind;
  readonly pageTable: string;
  readonly flavour: LinuxFlavour;
  readonly cachingMode: boolean;
}

export const INITIAL_LINUX_FORM: LinuxActionForm = {
  kind: 'setupPasid',
  bdf: '',
  pasid: '0',
  did: '2',
  setup: 'second-stage',
  pageTable: '0x200000',
  flavour: 'linux-6.1',
  cachingMode: true,
};

type LinuxFormField = 'bdf' | 'pasid' | 'did' | 'pageTable';

export type ReadLinuxForm =
  | { readonly ok: true; readonly action: LinuxAction; readonly options: AppendLinuxOptions }
  | { readonly ok: false; readonly field: LinuxFormField; readonly message: string };

/** Which inputs an action uses (the others are hidden). */
export function linuxFormNeeds(form: LinuxActionForm): ReadonlySet<string> {
  const needs = new Set<string>(LINUX_ACTION_KINDS.find((k) => k.kind === form.kind)?.needs ?? []);
  if (form.kind === 'setupPasid' && form.setup === 'pass-through') {
    needs.delete('did');
    needs.delete('pageTable');
  }
  // Only Linux 6.1 uses the domain's DID when it maps a context (its IOTLB flush).
  if (form.kind === 'mapContext' && form.flavour !== 'linux-6.1') needs.delete('did');
  return needs;
}

export function readLinuxForm(
  form: LinuxActionForm,
  devices: readonly { readonly bdf: string }[],
): ReadLinuxForm {
  const needs = linuxFormNeeds(form);
  const options: AppendLinuxOptions = { flavour: form.flavour, cachingMode: form.cachingMode };
  const fail = (field: LinuxFormField, message: string): ReadLinuxForm => ({
    ok: false,
    field,
    message,
  });
  if (form.kind === 'setRootTable') return { ok: true, action: { kind: 'setRootTable' }, options };
  if (!devices.some((d) => d.bdf === form.bdf)) {
    return fail(
      'bdf',
      devices.length === 0
        ? 'This scenario has no devices: add one in the Devices tab first.'
        : 'Choose one of the scenario’s devices.',
    );
  }
  const pasid = needs.has('pasid') ? parseNumberText(form.pasid, 0, 0xfffff) : undefined;
  if (pasid && !pasid.ok) return fail('pasid', `PASID: ${pasid.error}`);
  const did = needs.has('did') ? parseNumberText(form.did, 0, 0xffff) : undefined;
  if (did && !did.ok) return fail('did', `DID: ${did.error}`);
  const pt = needs.has('pageTable') ? parseHexText(form.pageTable, 64) : undefined;
  if (pt && !pt.ok) return fail('pageTable', `Page table: ${pt.error}`);
  const pasidValue = pasid?.ok ? pasid.value : 0;
  const didValue = did?.ok ? did.value : 0;
  switch (form.kind) {
    case 'setupPasid':
      return {
        ok: true,
        action: {
          kind: 'setupPasid',
          bdf: form.bdf,
          pasid: pasidValue,
          did: didValue,
          setup: form.setup,
          pageTable: pt?.ok ? pt.value : 0n,
        },
        options,
      };
    case 'mapContext':
      return { ok: true, action: { kind: 'mapContext', bdf: form.bdf, did: didValue }, options };
    case 'tearDown':
      return { ok: true, action: { kind: 'tearDown', bdf: form.bdf, pasid: pasidValue }, options };
    case 'release':
      return { ok: true, action: { kind: 'release', bdf: form.bdf }, options };
  }
}
