// The "Linux action" form: what it reads from the inputs, which inputs each action shows, and the
// store action behind it (one undoable edit; a refusal leaves the scenario untouched).

import { describe, expect, it } from 'vitest';
import { DescType, descriptorTypeCode } from '../../model/core.ts';
import { createInProcessEngine } from '../../state/testing/inProcessEngine.ts';
import { createAppStore } from '../../state/index.ts';
import { fixtureText } from '../../state/testing/fixtures.ts';
import { INITIAL_LINUX_FORM, linuxFormNeeds, readLinuxForm } from './linuxActionForm.ts';

const devices = [{ bdf: '00:02.0' }, { bdf: '00:03.0' }];

describe('Linux action form', () => {
  it('shows only the inputs an action uses', () => {
    const f = { ...INITIAL_LINUX_FORM, bdf: '00:02.0' };
    expect([...linuxFormNeeds(f)].sort()).toEqual(['bdf', 'did', 'pageTable', 'pasid', 'setup']);
    expect([...linuxFormNeeds({ ...f, setup: 'pass-through' })].sort()).toEqual([
      'bdf',
      'pasid',
      'setup',
    ]);
    expect([...linuxFormNeeds({ ...f, kind: 'release' })]).toEqual(['bdf']);
    expect([...linuxFormNeeds({ ...f, kind: 'mapContext', flavour: 'linux-2026' })]).toEqual([
      'bdf',
    ]);
    expect([...linuxFormNeeds({ ...f, kind: 'setRootTable' })]).toEqual([]);
  });

  it('reads typed values into an action, naming the input at fault', () => {
    const f = { ...INITIAL_LINUX_FORM, bdf: '00:03.0', pasid: '0x5', did: '9', pageTable: '7000' };
    expect(readLinuxForm(f, devices)).toEqual({
      ok: true,
      action: {
        kind: 'setupPasid',
        bdf: '00:03.0',
        pasid: 5,
        did: 9,
        setup: 'second-stage',
        pageTable: 0x7000n,
      },
      options: { flavour: 'linux-6.1', cachingMode: true },
    });
    expect(readLinuxForm({ ...f, pasid: 'five' }, devices)).toMatchObject({
      ok: false,
      field: 'pasid',
    });
    expect(readLinuxForm({ ...f, did: '70000' }, devices)).toMatchObject({
      ok: false,
      field: 'did',
    });
    expect(readLinuxForm({ ...f, pageTable: '0xzz' }, devices)).toMatchObject({
      ok: false,
      field: 'pageTable',
    });
    expect(readLinuxForm({ ...f, bdf: '00:09.0' }, devices)).toMatchObject({
      ok: false,
      field: 'bdf',
    });
    expect(readLinuxForm({ ...f, bdf: '' }, [])).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no devices/) as unknown,
    });
  });

  it('appends the action as one undoable edit, and refuses without touching the scenario', async () => {
    const store = createAppStore({ engine: createInProcessEngine() });
    expect(await store.getState().importScenarioText(fixtureText, 'fixture.json')).toBe(true);
    await store.idle();
    store.temporal.getState().clear();
    const before = store.getState().scenario;
    const r = store
      .getState()
      .addLinuxAction({ kind: 'setRootTable' }, { flavour: 'linux-2026', cachingMode: true });
    expect(r).toEqual({ added: 6 });
    const added = store.getState().scenario.steps.slice(before.steps.length);
    expect(added.map((s) => (s.op === 'invalidate' ? descriptorTypeCode(s.desc[0]!) : -1))).toEqual(
      [
        DescType.ContextCache,
        DescType.Wait,
        DescType.PasidCache,
        DescType.Wait,
        DescType.Iotlb,
        DescType.Wait,
      ],
    );
    const refused = store
      .getState()
      .addLinuxAction(
        { kind: 'release', bdf: '00:0a.0' },
        { flavour: 'linux-6.1', cachingMode: true },
      );
    expect(refused).toMatchObject({
      refused: expect.stringMatching(/no device 00:0a\.0/) as unknown,
    });
    expect(store.getState().scenario.steps).toHaveLength(before.steps.length + 6);
    store.temporal.getState().undo();
    expect(store.getState().scenario).toBe(before);
  });
});
