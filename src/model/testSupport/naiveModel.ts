// Test support: a second, deliberately naive implementation of QEMU's PASID-cache code, written
// straight from the C (bigint reads through GuestMemory's DMA API, plain arrays as lists, a real
// linear search that counts its comparisons). Property tests compare the fast model against it
// on random small scenarios. Slow on purpose; never used by the product.

import { GuestMemory } from '../memory/guestMemory.ts';
import type { CacheChange, CacheState, PcInfo, StepStatus } from '../run/runTypes.ts';
import type { Scenario, Variant } from '../scenario/scenarioTypes.ts';

interface NaiveStep {
  readonly status: StepStatus;
  readonly pcInfo?: PcInfo;
  readonly accelWalk?: { dirReads: number; entryReads: number; listCompares: number };
  readonly changes: CacheChange[];
}

interface Info {
  type: number;
  did: number;
  pasid: number;
  deleted: boolean;
}

type Pe = bigint[];

export function runNaive(
  scenario: Scenario,
  variantOverride?: Variant,
): {
  steps: NaiveStep[];
  final: CacheState;
} {
  const variant = variantOverride ?? scenario.variant;
  const cfg = scenario.iommu;
  const mem = GuestMemory.fromBlocks(cfg.guestRamBytes, scenario.memory);
  const rootScalable = cfg.scalableMode && cfg.rootScalable;
  const iqDw = (cfg.scalableMode || cfg.fsts) && cfg.queueWidth === 256;
  const haw = (1n << BigInt(cfg.awBits)) - 1n;
  const U64 = (1n << 64n) - 1n;
  const root = cfg.rootTableAddr & (haw ^ 0xfffn);
  let iqe = false;

  const spaces = scenario.devices.flatMap((d) => {
    const list = [0];
    if (d.backend === 'emulated')
      for (const p of d.pasidAddressSpaces) if (!list.includes(p)) list.push(p);
    return list.map((pasid) => ({ d, pasid, valid: false, entry: new Array<bigint>(8).fill(0n) }));
  });
  const hiods = scenario.devices
    .filter((d) => d.backend === 'iommufd')
    .map((d) => ({ d, list: [] as { pasid: number; entry: bigint[] }[] }));

  let changes: CacheChange[] = [];
  let walk = { dirReads: 0, entryReads: 0, listCompares: 0 };

  const read = (addr: bigint, n: number): bigint[] | undefined => mem.dmaReadQwords(addr & U64, n);

  function typeOk(pe: Pe): boolean {
    const v0 = pe[0] ?? 0n;
    const pgtt = Number((v0 >> 6n) & 7n);
    if (pgtt === 1) return cfg.fsts && Number(((pe[2] ?? 0n) >> 2n) & 3n) === 0;
    if (pgtt === 2) {
      if (cfg.fsts || !cfg.scalableMode) return false;
      const level = 2 + Number((v0 >> 2n) & 7n);
      return level === 3 ? cfg.awBits >= 39 : level === 4 ? cfg.awBits >= 48 : false;
    }
    return pgtt === 4;
  }

  /** Leaf read: [fault, entry buffer]. */
  function leaf(table: bigint, pasid: number): [number, Pe] {
    const addr = table + BigInt(pasid & 0x3f) * 64n;
    const words = read(addr, 8);
    if (!words) {
      // In-RAM bytes and zeros.
      const buf: bigint[] = [];
      for (let i = 0; i < 8; i++) {
        const a = addr + BigInt(8 * i);
        let v = 0n;
        for (let k = 0; k < 8; k++) {
          if (a + BigInt(k) < cfg.guestRamBytes) {
            v |=
              ((mem.readQword((a + BigInt(k)) & ~7n) >> (8n * ((a + BigInt(k)) & 7n))) & 0xffn) <<
              BigInt(8 * k);
          }
        }
        buf.push(v);
      }
      return [0x58, buf];
    }
    return [typeOk(words) ? 0 : 0x5b, words];
  }

  /** vtd_get_pe_from_pasid_table: [fault, buffer or undefined when the leaf was not read]. */
  function peFromTable(dir: bigint, pasid: number): [number, Pe | undefined] {
    const d = read(dir + BigInt((pasid >>> 6) & 0x3fff) * 8n, 1);
    if (!d) return [0x50, undefined];
    const de = d[0] ?? 0n;
    if ((de & 1n) === 0n) return [0x51, undefined];
    const [f, pe] = leaf(de & ~0xfffn, pasid);
    if (f) return [f, pe];
    return [((pe[0] ?? 0n) & 1n) === 0n ? 0x59 : 0, pe];
  }

  /** vtd_dev_to_context_entry: [fault, context words]. */
  function context(bus: number, devfn: number): [number, bigint[]] {
    const re = read(root + BigInt(bus) * 16n, 2);
    if (!re) return [0x8, []];
    const upper = devfn > 127;
    const half = upper ? (re[1] ?? 0n) : (re[0] ?? 0n);
    if ((half & 1n) === 0n) return [0x1, []];
    const rsvd = (0xffen | (~haw & U64)) & U64;
    if ((re[0] ?? 0n) & rsvd || (re[1] ?? 0n) & rsvd) return [0xa, []];
    const ce = read((half & ~0xfffn) + BigInt(devfn & 0x7f) * 32n, 4);
    if (!ce) return [0x9, []];
    if (((ce[0] ?? 0n) & 1n) === 0n) return [0x2, []];
    if (
      (ce[0] ?? 0n) & ((0x1e0n | (~haw & U64)) & U64) ||
      (ce[1] ?? 0n) & 0xffff_ffff_ffe0_0000n ||
      (ce[2] ?? 0n) !== 0n ||
      (ce[3] ?? 0n) !== 0n
    ) {
      return [0xb, []];
    }
    const [f] = peFromTable((ce[0] ?? 0n) & ~0xfffn, 0);
    return [f, ce];
  }

  function devGetPe(bus: number, devfn: number, pasid: number): [number, Pe | undefined] {
    if (!rootScalable) return [0x31, undefined];
    const [f, ce] = context(bus, devfn);
    if (f) return [f, undefined];
    return peFromTable((ce[0] ?? 0n) & ~0xfffn, pasid);
  }

  const did = (pe: Pe): number => Number((pe[1] ?? 0n) & 0xffffn);

  function syncLocked(sp: (typeof spaces)[number], info: Info): void {
    const [fault, buf] = devGetPe(sp.d.bus, sp.d.devfn, sp.pasid);
    const pe = buf ?? new Array<bigint>(8).fill(0n);
    if (fault) {
      if (!sp.valid) return;
      sp.valid = false;
      changes.push({ cache: 'emulated', bdf: sp.d.bdf, pasid: sp.pasid, kind: 'removed' });
      if (variant !== 'series') return;
    }
    if (info.type === 1 && info.pasid !== sp.pasid) return;
    if (info.type === 0 || info.type === 1) {
      const d = sp.valid ? did(sp.entry) : did(pe);
      if (d !== info.did) return;
    }
    if (!sp.valid) {
      sp.entry = [...pe];
      sp.valid = true;
      changes.push({ cache: 'emulated', bdf: sp.d.bdf, pasid: sp.pasid, kind: 'created' });
    }
  }

  function fill(h: (typeof hiods)[number], pasid: number, pe: Pe): void {
    let compares = 0;
    for (const e of h.list) {
      compares++;
      if (e.pasid === pasid) {
        walk.listCompares += compares;
        if (e.entry.some((w, i) => w !== pe[i])) {
          e.entry = [...pe];
          changes.push({ cache: 'accel', bdf: h.d.bdf, pasid, kind: 'updated' });
        }
        return;
      }
    }
    walk.listCompares += compares;
    h.list.unshift({ pasid, entry: [...pe] });
    changes.push({ cache: 'accel', bdf: h.d.bdf, pasid, kind: 'created' });
  }

  function accelSync(info: Info): void {
    if (!cfg.fsts) return;
    let start = 0;
    let end = 2 ** cfg.pasidBits;
    if (info.type === 1) {
      start = info.pasid;
      end = info.pasid + 1;
    }
    for (const h of hiods) {
      if (variant !== 'seed') {
        for (const e of [...h.list]) {
          if (info.type === 1 && info.pasid !== e.pasid) continue;
          if ((info.type === 0 || info.type === 1) && info.did !== did(e.entry)) continue;
          const [f] = devGetPe(h.d.bus, h.d.devfn, e.pasid);
          if (f) {
            h.list.splice(h.list.indexOf(e), 1);
            changes.push({ cache: 'accel', bdf: h.d.bdf, pasid: e.pasid, kind: 'removed' });
            if (info.type === 1) info.deleted = true;
          }
        }
        if (info.deleted) {
          info.deleted = false;
          continue;
        }
      }
      const [cf, ce] = context(h.d.bus, h.d.devfn);
      if (cf) continue;
      const pdts = Number(((ce[0] ?? 0n) >> 9n) & 7n);
      const e = Math.min(end, 2 ** h.d.maxPasidLog2, 2 ** (pdts + 7) * 64);
      const dir = (ce[0] ?? 0n) & ~0xfffn;
      for (let p = start; p < e;) {
        const next = Math.min((p + 64) & ~63, e);
        walk.dirReads++;
        const d = read(dir + BigInt((p >>> 6) & 0x3fff) * 8n, 1);
        if (d && ((d[0] ?? 0n) & 1n) === 1n) {
          for (let q = p; q < next; q++) {
            walk.entryReads++;
            const [f, pe] = leaf((d[0] ?? 0n) & ~0xfffn, q);
            if (f || ((pe[0] ?? 0n) & 1n) === 0n) continue;
            if ((info.type === 0 || info.type === 1) && info.did !== did(pe)) continue;
            fill(h, q, pe);
          }
        }
        p = next;
      }
    }
  }

  function pcSync(info: Info): void {
    if (!rootScalable || !cfg.dmarEnabled) return;
    for (const sp of spaces) syncLocked(sp, info);
    accelSync(info);
  }

  const steps: NaiveStep[] = [];
  for (const step of scenario.steps) {
    changes = [];
    walk = { dirReads: 0, entryReads: 0, listCompares: 0 };
    if (step.op === 'write') {
      mem.writeQwords(step.addr, step.qwords);
      steps.push({ status: 'applied', changes });
      continue;
    }
    if (step.op === 'clearIqe') {
      iqe = false;
      steps.push({ status: 'applied', changes });
      continue;
    }
    if (iqe) {
      steps.push({ status: 'blocked', changes });
      continue;
    }
    const v = [0, 1, 2, 3].map((i) => (i < 2 || iqDw ? (step.desc[i] ?? 0n) : 0n));
    const v0 = v[0] ?? 0n;
    const type = Number(((v0 >> 5n) & 0x70n) | (v0 & 0xfn));
    const g = Number((v0 >> 4n) & 3n);
    let ok = true;
    let pcInfo: PcInfo | undefined;
    if (type === 7) {
      const rsvd = (v0 & 0xfff0_0000_0000_f1c0n) !== 0n || v.slice(1).some((x) => x !== 0n);
      if (!iqDw || rsvd || g === 2) {
        ok = false;
      } else {
        const d = Number((v0 >> 16n) & 0xffffn);
        const p = Number((v0 >> 32n) & 0xfffffn);
        const info: Info =
          g === 0
            ? { type: 0, did: d, pasid: 0, deleted: false }
            : g === 1
              ? { type: 1, did: d, pasid: p, deleted: false }
              : { type: 3, did: 0, pasid: 0, deleted: false };
        pcInfo = { type: info.type as 0 | 1 | 3, did: info.did, pasid: info.pasid };
        pcSync(info);
      }
    } else if (type === 1) {
      const rsvd = (v0 & 0xfffc_0000_0000_f1c0n) !== 0n || v.slice(1).some((x) => x !== 0n);
      if (rsvd || g === 0) ok = false;
      else if (g === 3) {
        const sid = Number((v0 >> 32n) & 0xffffn);
        const fm = Number((v0 >> 48n) & 3n);
        const keep = ~[0, 4, 6, 7][fm]! & 0xff;
        for (const sp of spaces) {
          if (sp.d.bus === sid >> 8 && (sp.d.devfn & keep) === (sid & 0xff & keep)) {
            if (cfg.fsts && rootScalable && cfg.dmarEnabled) {
              syncLocked(sp, { type: 3, did: 0, pasid: 0, deleted: false });
            }
          }
        }
      } else pcSync({ type: 3, did: 0, pasid: 0, deleted: false });
    } else if (type === 5) {
      const rsvd =
        (v0 & 0xffff_f180n) !== 0n ||
        ((v[1] ?? 0n) & 3n) !== 0n ||
        (v[2] ?? 0n) !== 0n ||
        (v[3] ?? 0n) !== 0n;
      if (rsvd || (v0 & 0x70n) === 0n) ok = false;
      else if (v0 & 0x20n) ok = mem.dmaWrite32(v[1] ?? 0n, Number((v0 >> 32n) & 0xffff_ffffn));
    } else {
      // The random scenarios use no other type.
      ok = false;
    }
    if (!ok) {
      iqe = true;
      steps.push({ status: 'rejected', changes: [] });
      continue;
    }
    steps.push({ status: 'processed', ...(pcInfo ? { pcInfo } : {}), accelWalk: walk, changes });
  }

  const accel: Record<string, { pasid: number; entry: bigint[] }[]> = {};
  for (const h of hiods)
    accel[h.d.bdf] = h.list.map((e) => ({ pasid: e.pasid, entry: [...e.entry] }));
  const emulated: Record<string, Record<string, { valid: boolean; entry: bigint[] }>> = {};
  for (const sp of spaces) {
    (emulated[sp.d.bdf] ??= {})[String(sp.pasid)] = { valid: sp.valid, entry: [...sp.entry] };
  }
  return { steps, final: { iqe, accel, emulated } };
}
