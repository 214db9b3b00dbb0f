// The host side on screen (issue 9): a host-* preset at the event where QEMU attaches a PASID shows
// the walk's host lane (each hwpt a group named "Host hwpt …") and the host table; axe finds nothing
// on that screen, light and dark; a PASID-IOTLB descriptor composed by field is submitted and
// forwarded to the hwpt; host faults are edited in the Steps tab.

import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { HostCallOp, TraceKind } from '../src/model/index.ts';
import { collectErrors, idle } from './support.ts';

interface TraceView {
  readonly length: number;
  readonly kind: ArrayLike<number>;
  readonly a: ArrayLike<number>;
}
interface HostOpView {
  readonly op: string;
  readonly ok: boolean;
  readonly hwpt?: number;
  readonly pasid: number;
}
declare const window: {
  pasidscope?: {
    store: {
      getState(): {
        run?: {
          result: {
            trace: TraceView;
            steps: readonly { hostOps?: readonly HostOpView[] }[];
          };
        };
        scenario: { steps: readonly unknown[]; hostFaults?: readonly unknown[] };
        seekTo(e: number): void;
      };
    };
  };
};

interface SvgTextLike {
  getScreenCTM(): { a: number } | null;
}
declare const document: { querySelectorAll(sel: string): ArrayLike<SvgTextLike> };
declare function getComputedStyle(el: unknown): { fontSize: string };

/** Opens a preset and moves the playhead to its first host call of kind `op`. */
async function openAtHostCall(page: Page, preset: string, op: number): Promise<number> {
  await page.goto(`/?preset=${preset}&motion=off`);
  await idle(page);
  const e = await page.evaluate(
    ([k, o]) => {
      const t = window.pasidscope?.store.getState().run?.result.trace;
      if (!t) return -1;
      for (let i = 0; i < t.length; i++) if (t.kind[i] === k && t.a[i] === o) return i;
      return -1;
    },
    [TraceKind.HostCall, op] as const,
  );
  expect(e).toBeGreaterThanOrEqual(0);
  await page.evaluate((ev) => window.pasidscope?.store.getState().seekTo(ev), e);
  await idle(page);
  return e;
}

for (const scheme of ['light', 'dark'] as const) {
  test(`host lane and host table at the attach, ${scheme}: named hwpts, axe clean`, async ({
    page,
  }) => {
    const errors = collectErrors(page);
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await openAtHostCall(page, 'host-attach-replace', HostCallOp.Attach);
    const region = page.getByRole('region', { name: /walk/i }).first();
    await expect(region).toBeVisible();
    const hwpt2 = page.getByRole('group', {
      name: /^Host hwpt 2: nested S1, PASID 0x5, table 0x7000, attached/,
    });
    await expect(hwpt2).toBeVisible();
    await expect(page.getByRole('group', { name: /^Host hwpt / })).toHaveCount(2);
    await expect(page.getByRole('table', { name: /^Host iommufd 00:02\.0$/ })).toBeAttached();
    // The lane's text is never under 12 px at 1280×720 (the drawing's type floor).
    const smallest = await page.evaluate(() => {
      let min = Infinity;
      const texts = document.querySelectorAll(
        'svg.walk-svg .kind-host text, svg.walk-svg .kind-hwpt text',
      );
      for (let i = 0; i < texts.length; i++) {
        const t = texts[i]!;
        min = Math.min(min, parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM()?.a ?? 1));
      }
      return { min, n: texts.length };
    });
    expect(smallest.n).toBeGreaterThan(4);
    expect(smallest.min).toBeGreaterThanOrEqual(12 - 0.01);
    const axe = await new AxeBuilder({ page }).analyze();
    expect(
      axe.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`)),
    ).toEqual([]);
    expect(errors).toEqual([]);
  });
}

test('a failed attach is marked in the lane with its consequence in words', async ({ page }) => {
  await openAtHostCall(page, 'host-attach-failed-unbound', HostCallOp.Invalidate);
  await expect(
    page.getByRole('group', {
      name: /^Host PASID 0x5: no hwpt, entry cached, not bound: QEMU retries only when the guest entry changes/,
    }),
  ).toBeVisible();
  await expect(
    page.getByRole('status').filter({ hasText: 'PIOTLB for PASID 0x5 sent to hwpt 0' }),
  ).toBeVisible();
});

test('compose a PASID-IOTLB descriptor by field and submit it: the host gets the invalidation', async ({
  page,
}) => {
  await page.goto('/?preset=host-attach-failed-unbound&motion=off');
  await idle(page);
  const composer = page.getByRole('region', { name: 'Invalidation composer' });
  await composer.getByLabel('Descriptor', { exact: true }).selectOption('piotlb');
  await composer.getByLabel('Granularity', { exact: true }).selectOption('page');
  await composer.getByLabel('Domain ID', { exact: true }).fill('3');
  await composer.getByLabel('PASID', { exact: true }).fill('5');
  await composer.getByLabel('Address', { exact: true }).fill('0x7040');
  await expect(composer.getByRole('alert')).toContainText('4 KiB aligned');
  await composer.getByLabel('Address', { exact: true }).fill('0x7000');
  await composer.getByLabel('Address mask', { exact: true }).fill('2');
  await expect(
    composer.getByText(/^Page selective: DID 3, PASID 5, from 0x7000, 4 pages\./),
  ).toBeVisible();
  const before = await page.evaluate(
    () => window.pasidscope?.store.getState().scenario.steps.length ?? 0,
  );
  await composer.getByRole('button', { name: 'Submit invalidation' }).click();
  await idle(page);
  const ops = await page.evaluate(() => {
    const s = window.pasidscope?.store.getState();
    return s?.run?.result.steps.at(-1)?.hostOps ?? [];
  });
  expect(await page.evaluate(() => window.pasidscope?.store.getState().scenario.steps.length)).toBe(
    before + 1,
  );
  // At the end PASID 5 is cached first-stage with DID 3 and bound to hwpt 3 (the replacement
  // after the failed first attach): the invalidation is forwarded there, 4 pages from 0x7000.
  expect(ops).toEqual([
    {
      op: 'invalidate',
      bdf: '00:02.0',
      pasid: 5,
      ok: true,
      hwpt: 3,
      addr: '0x0000000000007000',
      npages: '0x0000000000000004',
      flags: 0,
    },
  ]);
});

test('host faults are edited in the Steps tab and follow a removed step', async ({ page }) => {
  await page.goto('/?preset=host-attach-replace&motion=off');
  await idle(page);
  await page.getByRole('tab', { name: /^Steps/ }).click();
  await page.getByRole('button', { name: 'Add host fault' }).click();
  const card = page.getByRole('group', { name: 'Host fault 1' });
  await card.getByLabel('Step').selectOption({ index: 0 });
  await card.getByLabel('PASID').fill('5');
  await card.getByLabel('PASID').press('Enter');
  await idle(page);
  // Step 1's attach of PASID 5 now fails: the lane says so at the end of that step.
  const ops = await page.evaluate(
    () => window.pasidscope?.store.getState().run?.result.steps[0]?.hostOps ?? [],
  );
  expect(ops.filter((o) => o.op === 'attach').map((o) => o.ok)).toEqual([false]);
  await page.getByRole('button', { name: 'Remove step 1' }).click();
  await idle(page);
  await expect(page.getByText('Step 1 removed with its host fault')).toBeVisible();
  expect(
    await page.evaluate(() => window.pasidscope?.store.getState().scenario.hostFaults),
  ).toBeUndefined();
});
