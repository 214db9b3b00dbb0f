// What Linux's intel-iommu driver writes to guest memory and queues on the invalidation queue for
// one of its actions, in its order, as ordinary scenario steps: `write` steps and raw `invalidate`
// steps, each batch followed by the wait descriptor qi_submit_sync appends. Every step's note names
// the kernel function that issues it.
//
// Two flavours where the driver differs:
//   linux-6.1  as captured from a real Debian Linux 6.1 guest (which carries the stable backport of
//              "Clear Present bit before tearing down PASID entry"): the context entry is written when
//              a domain is attached, after the PASID entry; hot-unplug clears the context entry's
//              present bit and flushes with the domain's DID.
//   linux-2026 drivers/iommu/intel as of 2026 (read, not run): the scalable-mode context entry is
//              written when the device is probed (intel_pasid_setup_sm_context), before any PASID
//              entry; hot-unplug zeroes it and sends only a device-selective context-cache flush.
// Caching mode (CAP.CM) off skips the set-up flushes (Linux then flushes the write buffer, a register
// access that is not a descriptor); teardown and root-table flushes are sent either way.
//
// Pure: the guest is read through `LinuxGuest`; nothing here touches a scenario.

import { encodeFields, fieldDisplayValue, fieldByName } from '../bits/bitFields.ts';
import type { StructureLayout } from '../bits/bitFields.ts';
import {
  CONTEXT_CACHE_DESC,
  CONTEXT_ENTRY,
  PASID_CACHE_DESC,
  PASID_DIR_ENTRY,
  PASID_ENTRY,
  ROOT_ENTRY,
  WAIT_DESC,
} from '../bits/structures.ts';
import { contextEntryAddress, pasidDirEntryCount } from '../tables/contextEntry.ts';
import { pasidDirEntryAddress, pasidDirIndex, pasidEntryAddress } from '../tables/pasidDirEntry.ts';
import { rootEntryAddress } from '../tables/rootEntry.ts';
import type { DeviceConfig, ScenarioStep } from '../scenario/scenarioTypes.ts';
import { hexAddr } from '../scenario/scenarioValues.ts';

export type LinuxFlavour = 'linux-6.1' | 'linux-2026';
export const LINUX_FLAVOURS: readonly LinuxFlavour[] = ['linux-6.1', 'linux-2026'];
export const LINUX_FLAVOUR_TITLES: Readonly<Record<LinuxFlavour, string>> = {
  'linux-6.1': 'as captured from Linux 6.1',
  'linux-2026': 'as the 2026 driver does',
};

/** What a PASID entry is set up for (the intel_pasid_setup_* function Linux calls). */
export type PasidSetupKind = 'second-stage' | 'pass-through' | 'first-stage';
export const PASID_SETUP_KINDS: readonly PasidSetupKind[] = [
  'second-stage',
  'pass-through',
  'first-stage',
];

export type LinuxAction =
  | { readonly kind: 'setRootTable' }
  | {
      readonly kind: 'setupPasid';
      readonly bdf: string;
      readonly pasid: number;
      /** ignored for pass-through: Linux always uses FLPT_DEFAULT_DID (1) there */
      readonly did: number;
      readonly setup: PasidSetupKind;
      /** SSPTPTR (second-stage) or FSPTPTR (first-stage); ignored for pass-through */
      readonly pageTable: bigint;
    }
  | { readonly kind: 'mapContext'; readonly bdf: string; readonly did: number }
  | { readonly kind: 'tearDown'; readonly bdf: string; readonly pasid: number }
  | { readonly kind: 'release'; readonly bdf: string };

export type LinuxActionKind = LinuxAction['kind'];

/** The actions in menu order, with what each needs from the user. */
export const LINUX_ACTION_KINDS: readonly {
  readonly kind: LinuxActionKind;
  readonly title: string;
  readonly needs: readonly ('bdf' | 'pasid' | 'did' | 'setup' | 'pageTable')[];
}[] = [
  { kind: 'setRootTable', title: 'Set the root table', needs: [] },
  {
    kind: 'setupPasid',
    title: 'Set up a PASID entry',
    needs: ['bdf', 'pasid', 'did', 'setup', 'pageTable'],
  },
  { kind: 'mapContext', title: "Map the device's context", needs: ['bdf', 'did'] },
  { kind: 'tearDown', title: 'Tear a PASID entry down', needs: ['bdf', 'pasid'] },
  { kind: 'release', title: 'Release a device (hot-unplug)', needs: ['bdf'] },
];

export interface LinuxActionOptions {
  readonly flavour: LinuxFlavour;
  /** CAP.CM: QEMU's caching-mode property; Linux flushes after making entries present only with it. */
  readonly cachingMode: boolean;
  /** Where each wait descriptor asks for its status write (a slot of the driver's desc_status). */
  readonly statusAddr: bigint;
}

/** The guest as the driver sees it: the structures in memory and free pages for new tables. */
export interface LinuxGuest {
  readonly rootTable: bigint;
  /** 39 or 48: the address width Linux programs in PASID entries (AW 1 or 2). */
  readonly awBits: number;
  readonly scalableMode: boolean;
  readonly devices: readonly DeviceConfig[];
  readQword(addr: bigint): bigint;
  /** A free, page-aligned block of guest RAM, or undefined when there is none. */
  allocate(bytes: bigint): bigint | undefined;
}

export type LinuxActionResult =
  | { readonly ok: true; readonly steps: readonly ScenarioStep[] }
  | { readonly ok: false; readonly message: string };

/** Linux allocates DMA-domain IDs from 2 (NUM_RESERVED_DID); 1 is FLPT_DEFAULT_DID. */
export const FIRST_DOMAIN_ID = 2;
export const PASS_THROUGH_DID = 1;
const PAGE = 0x1000n;

// ---- descriptors ------------------------------------------------------------------------------

const PC_GRANULARITY = { domain: 0, pasid: 1, global: 3 } as const;
const CC_GRANULARITY = { global: 1, domain: 2, device: 3 } as const;

function fourWords(layout: StructureLayout, values: Readonly<Record<string, bigint | number>>) {
  const w = encodeFields(layout, values);
  while (w.length < 4) w.push(0n);
  return w;
}

function pasidCacheDesc(g: keyof typeof PC_GRANULARITY, did: number, pasid: number): bigint[] {
  return fourWords(PASID_CACHE_DESC, {
    type: 7,
    granularity: PC_GRANULARITY[g],
    did,
    pasid,
  });
}

function contextCacheDesc(g: keyof typeof CC_GRANULARITY, did: number, sid: number): bigint[] {
  return fourWords(CONTEXT_CACHE_DESC, {
    type: 1,
    granularity: CC_GRANULARITY[g],
    did,
    sid,
    fm: 0,
  });
}

// IOTLB (type 2) and PASID-IOTLB (type 6) descriptors have no field table in ../bits; their val[0]
// is built here from the VT-d layout, as qi_flush_iotlb / qi_flush_piotlb build it.
const IOTLB_TYPE = 2n;
const IOTLB_GRANULARITY_SHIFT = 4n;
/** DR and DW (bits 7, 6): Linux sets them when CAP.DRD / CAP.DWD are set, as QEMU sets both. */
const IOTLB_DRAIN = 0xc0n;
const PIOTLB_TYPE = 6n;
/** qi_flush_piotlb with npages -1: QI_GRAN_NONG_PASID, every address of (DID, PASID). */
const PIOTLB_ALL_ADDRESSES = 2n;

function iotlbDesc(g: 'global' | 'domain', did: number): bigint[] {
  const gran = g === 'global' ? 1n : 2n;
  return [
    IOTLB_TYPE | (gran << IOTLB_GRANULARITY_SHIFT) | IOTLB_DRAIN | (BigInt(did) << 16n),
    0n,
    0n,
    0n,
  ];
}

function piotlbDesc(did: number, pasid: number): bigint[] {
  return [
    PIOTLB_TYPE | (PIOTLB_ALL_ADDRESSES << 4n) | (BigInt(did) << 16n) | (BigInt(pasid) << 32n),
    0n,
    0n,
    0n,
  ];
}

/** The invalidation-wait descriptor qi_submit_sync appends: SW, status data QI_DONE (2). */
export function linuxWaitDesc(statusAddr: bigint): bigint[] {
  return fourWords(WAIT_DESC, { type: 5, sw: 1, statusData: 2, statusAddr });
}

// ---- the generator ------------------------------------------------------------------------------

class ActionError extends Error {}

function hexDid(did: number): string {
  return `0x${did.toString(16)}`;
}

function fieldOf(layout: StructureLayout, words: readonly bigint[], name: string): bigint {
  return fieldDisplayValue(words, fieldByName(layout, name));
}

interface DeviceTables {
  readonly dev: DeviceConfig;
  readonly sid: number;
  readonly contextAddr: bigint | undefined;
  readonly context: readonly bigint[];
  readonly contextPresent: boolean;
}

class LinuxDriver {
  private readonly steps: ScenarioStep[] = [];
  /** Words this action wrote, read back before the guest's. */
  private readonly written = new Map<bigint, bigint>();
  private readonly guest: LinuxGuest;
  private readonly options: LinuxActionOptions;

  constructor(guest: LinuxGuest, options: LinuxActionOptions) {
    this.guest = guest;
    this.options = options;
  }

  result(): ScenarioStep[] {
    return this.steps;
  }

  private get v61(): boolean {
    return this.options.flavour === 'linux-6.1';
  }

  // ---- memory --------------------------------------------------------------------------------

  private read(addr: bigint, count: number): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < count; i++) {
      const a = addr + BigInt(8 * i);
      out.push(this.written.get(a) ?? this.guest.readQword(a));
    }
    return out;
  }

  private write(addr: bigint, qwords: readonly bigint[], note: string): void {
    qwords.forEach((w, i) => this.written.set(addr + BigInt(8 * i), w));
    this.steps.push({ op: 'write', addr, qwords, note });
  }

  private allocate(bytes: bigint, what: string): bigint {
    const at = this.guest.allocate(bytes);
    if (at === undefined) throw new ActionError(`no free guest RAM for ${what}`);
    return at;
  }

  /** One qi_submit_sync batch: the descriptor, then the wait descriptor the driver appends. */
  private submit(desc: readonly bigint[], note: string): void {
    this.steps.push({ op: 'invalidate', desc, note });
    this.steps.push({
      op: 'invalidate',
      desc: linuxWaitDesc(this.options.statusAddr),
      note: `qi_submit_sync: wait descriptor closing the batch (status 2 at ${hexAddr(this.options.statusAddr)})`,
    });
  }

  // ---- locating the device's structures ----------------------------------------------------------

  private device(bdf: string): DeviceTables {
    const dev = this.guest.devices.find((d) => d.bdf === bdf);
    if (!dev) {
      const known = this.guest.devices.map((d) => d.bdf).join(', ') || 'none';
      throw new ActionError(`no device ${bdf} in this scenario (devices: ${known})`);
    }
    const root = this.read(rootEntryAddress(this.guest.rootTable, dev.bus), 2);
    const upper = dev.devfn >= 128;
    const present = fieldOf(ROOT_ENTRY, root, upper ? 'upperPresent' : 'lowerPresent') === 1n;
    const table = fieldOf(ROOT_ENTRY, root, upper ? 'upperContextTable' : 'lowerContextTable');
    const contextAddr = present && table !== 0n ? contextEntryAddress(table, dev.devfn) : undefined;
    const context = contextAddr !== undefined ? this.read(contextAddr, 4) : [0n, 0n, 0n, 0n];
    return {
      dev,
      sid: (dev.bus << 8) | dev.devfn,
      contextAddr,
      context,
      contextPresent: fieldOf(CONTEXT_ENTRY, context, 'present') === 1n,
    };
  }

  /** The device's PASID directory, as the driver keeps it (info->pasid_table). */
  private directoryOf(t: DeviceTables): { addr: bigint; pdts: number } | undefined {
    const addr = fieldOf(CONTEXT_ENTRY, t.context, 'pasidDirPtr');
    if (addr === 0n) return undefined;
    return { addr, pdts: Number(fieldOf(CONTEXT_ENTRY, t.context, 'pdts')) };
  }

  /** intel_pasid_alloc_table: a zeroed directory sized for the device (nothing written). */
  private newDirectory(dev: DeviceConfig): { addr: bigint; pdts: number } {
    const pdts = Math.min(7, Math.max(2, dev.maxPasidLog2 - 13));
    const bytes = BigInt(pasidDirEntryCount(pdts)) * 8n;
    return { addr: this.allocate(bytes, `the PASID directory of ${dev.bdf}`), pdts };
  }

  private pasidEntryAddr(
    t: DeviceTables,
    dir: { addr: bigint; pdts: number },
    pasid: number,
    allocateTable: boolean,
  ): bigint | undefined {
    const index = pasidDirIndex(pasid);
    const entries = pasidDirEntryCount(dir.pdts);
    if (index >= entries) {
      throw new ActionError(
        `PASID ${pasid} is beyond the PASID table of ${t.dev.bdf} (${entries * 64} PASIDs, PDTS ${dir.pdts})`,
      );
    }
    const deAddr = pasidDirEntryAddress(dir.addr, pasid);
    const de = this.read(deAddr, 1);
    const table = fieldOf(PASID_DIR_ENTRY, de, 'pasidTablePtr');
    if (fieldOf(PASID_DIR_ENTRY, de, 'present') === 1n && table !== 0n)
      return pasidEntryAddress(table, pasid);
    if (!allocateTable) return undefined;
    const fresh = this.allocate(PAGE, `a PASID table of ${t.dev.bdf}`);
    this.write(
      deAddr,
      encodeFields(PASID_DIR_ENTRY, { present: 1, pasidTablePtr: fresh }),
      `intel_pasid_get_entry: PASID directory entry ${index} of ${t.dev.bdf} -> new PASID table at ${hexAddr(fresh)}`,
    );
    return pasidEntryAddress(fresh, pasid);
  }

  // ---- actions ------------------------------------------------------------------------------------

  setRootTable(): void {
    const fn = 'iommu_set_root_entry';
    this.submit(
      contextCacheDesc('global', 0, 0),
      `${fn} -> qi_flush_context: context-cache global`,
    );
    if (this.guest.scalableMode)
      this.submit(
        pasidCacheDesc('global', 0, 0),
        `${fn} -> qi_flush_pasid_cache: PASID-cache global`,
      );
    this.submit(iotlbDesc('global', 0), `${fn} -> qi_flush_iotlb: IOTLB global`);
  }

  mapContext(bdf: string, did: number): void {
    const t = this.device(bdf);
    if (t.contextPresent) {
      throw new ActionError(
        `the context entry of ${bdf} is already present: Linux leaves a present context entry as it is`,
      );
    }
    this.writeContext(t, this.directoryOf(t) ?? this.newDirectory(t.dev), did);
  }

  private writeContext(t: DeviceTables, dir: { addr: bigint; pdts: number }, did: number): void {
    const fn = this.v61 ? 'domain_context_mapping_one' : 'device_pasid_table_setup';
    const { dev } = t;
    let contextAddr = t.contextAddr;
    if (contextAddr === undefined) {
      const rootAddr = rootEntryAddress(this.guest.rootTable, dev.bus);
      const root = this.read(rootAddr, 2);
      const upper = dev.devfn >= 128;
      const table = this.allocate(PAGE, `the context table of bus ${dev.bus}`);
      const next = encodeFields(
        ROOT_ENTRY,
        {
          [upper ? 'upperPresent' : 'lowerPresent']: 1,
          [upper ? 'upperContextTable' : 'lowerContextTable']: table,
        },
        root,
      );
      const word = upper ? 1 : 0;
      this.write(
        rootAddr + BigInt(8 * word),
        [next[word] ?? 0n],
        `iommu_context_addr: root entry of bus ${dev.bdf.slice(0, 2)} (${upper ? 'upper' : 'lower'} half) -> new context table at ${hexAddr(table)}`,
      );
      contextAddr = contextEntryAddress(table, dev.devfn);
    }
    const words = encodeFields(CONTEXT_ENTRY, {
      present: 1,
      pdts: dir.pdts,
      pasidDirPtr: dir.addr,
      paside: dev.maxPasidLog2 > 0 ? 1 : 0,
    });
    this.write(
      contextAddr,
      words,
      `${fn}: context entry of ${dev.bdf} (present, PDTS ${dir.pdts}, directory ${hexAddr(dir.addr)})`,
    );
    if (!this.options.cachingMode) return;
    // Non-present to present: with caching mode the unit may cache the non-present entry, in DID 0.
    this.submit(
      contextCacheDesc('device', 0, t.sid),
      `${fn}: context-cache device-selective ${dev.bdf}, DID 0 (caching mode)`,
    );
    const iotlbDid = this.v61 ? did : 0;
    this.submit(
      iotlbDesc('domain', iotlbDid),
      `${fn}: IOTLB domain-selective DID ${hexDid(iotlbDid)} (caching mode)`,
    );
  }

  setupPasid(a: Extract<LinuxAction, { kind: 'setupPasid' }>): void {
    const t = this.device(a.bdf);
    const passThrough = a.setup === 'pass-through';
    const did = passThrough ? PASS_THROUGH_DID : a.did;
    if (!passThrough) {
      if (did < FIRST_DOMAIN_ID || did > 0xffff) {
        throw new ActionError(
          `DID ${did} is not one Linux gives a DMA domain: it allocates 2..0xffff (0 is reserved, 1 is the identity domain's)`,
        );
      }
      if (a.pageTable === 0n || a.pageTable % PAGE !== 0n) {
        throw new ActionError(
          `the page-table pointer must be a non-zero, 4 KiB-aligned address, got ${hexAddr(a.pageTable)}`,
        );
      }
    }
    let dir = this.directoryOf(t);
    const mapLater = !t.contextPresent;
    if (!dir) {
      dir = this.newDirectory(t.dev);
      // The 2026 driver writes the context entry when the device is probed, before any domain.
      if (!this.v61) this.writeContext(t, dir, did);
    } else if (mapLater && !this.v61) {
      this.writeContext(t, dir, did);
    }
    const addr = this.pasidEntryAddr(t, dir, a.pasid, true);
    if (addr === undefined) throw new ActionError(`no PASID table for PASID ${a.pasid}`);
    const current = this.read(addr, 8);
    if (fieldOf(PASID_ENTRY, current, 'present') === 1n) {
      throw new ActionError(
        `PASID ${a.pasid} of ${a.bdf} is already present (DID ${hexDid(Number(fieldOf(PASID_ENTRY, current, 'did')))}): Linux returns -EBUSY; tear it down first`,
      );
    }
    const aw = this.guest.awBits === 39 ? 1 : 2;
    const fn = {
      'second-stage': 'intel_pasid_setup_second_level',
      'pass-through': 'intel_pasid_setup_pass_through',
      'first-stage': 'intel_pasid_setup_first_level',
    }[a.setup];
    const fields: Record<string, bigint | number> = {
      present: 1,
      aw,
      pgtt: { 'second-stage': 2, 'pass-through': 4, 'first-stage': 1 }[a.setup],
      did,
    };
    if (a.setup === 'second-stage') fields.ssptptr = a.pageTable;
    if (a.setup === 'first-stage') fields.fsptptr = a.pageTable;
    // The captured 6.1 guest sets SRE in its pass-through entries; the 2026 driver no longer does.
    if (passThrough && this.v61) fields.sre = 1;
    const pointer = a.setup === 'pass-through' ? '' : `, page table ${hexAddr(a.pageTable)}`;
    this.write(
      addr,
      encodeFields(PASID_ENTRY, fields),
      `${fn}: PASID entry ${a.pasid} of ${a.bdf} (${a.setup}, DID ${hexDid(did)}${pointer})`,
    );
    if (this.options.cachingMode) {
      this.submit(
        pasidCacheDesc('pasid', did, a.pasid),
        `${fn} -> pasid_flush_caches: PASID-cache PASID-selective DID ${hexDid(did)} PASID ${a.pasid}`,
      );
      this.submit(
        piotlbDesc(did, a.pasid),
        `${fn} -> pasid_flush_caches: PASID-IOTLB DID ${hexDid(did)} PASID ${a.pasid}, all addresses`,
      );
    }
    // Linux 6.1 maps the context after the PASID entry (intel_iommu_attach_device), a new device only.
    if (mapLater && this.v61) this.writeContext(this.device(a.bdf), dir, did);
  }

  tearDown(bdf: string, pasid: number, caller: string): { did: number } | undefined {
    const t = this.device(bdf);
    const dir = this.directoryOf(t);
    const addr = dir ? this.pasidEntryAddr(t, dir, pasid, false) : undefined;
    if (addr === undefined) {
      throw new ActionError(`PASID ${pasid} of ${bdf} has no PASID entry: nothing to tear down`);
    }
    const fn = `${caller}intel_pasid_tear_down_entry`;
    const entry = this.read(addr, 8);
    if (fieldOf(PASID_ENTRY, entry, 'present') !== 1n) {
      if (!this.v61 && fieldOf(PASID_ENTRY, entry, 'fpd') === 1n) {
        this.write(
          addr,
          new Array<bigint>(8).fill(0n),
          `${fn}: not present, FPD set: entry cleared, no invalidation`,
        );
        return undefined;
      }
      throw new ActionError(
        `PASID ${pasid} of ${bdf} is not present: Linux returns without writing or invalidating anything`,
      );
    }
    const did = Number(fieldOf(PASID_ENTRY, entry, 'did'));
    const pgtt = Number(fieldOf(PASID_ENTRY, entry, 'pgtt'));
    this.write(
      addr,
      [entry[0]! & ~1n],
      `${fn}: PASID entry ${pasid} of ${bdf}: clear the present bit only (DID ${hexDid(did)} kept)`,
    );
    this.submit(
      pasidCacheDesc('pasid', did, pasid),
      `${fn}: PASID-cache PASID-selective with the old DID ${hexDid(did)}, PASID ${pasid}`,
    );
    if (pgtt === 4 || pgtt === 1) {
      this.submit(
        piotlbDesc(did, pasid),
        `${fn} -> qi_flush_piotlb: PASID-IOTLB DID ${hexDid(did)} PASID ${pasid}`,
      );
    } else {
      this.submit(
        iotlbDesc('domain', did),
        `${fn} -> flush_iotlb: IOTLB domain-selective DID ${hexDid(did)}`,
      );
    }
    this.write(addr, new Array<bigint>(8).fill(0n), `${fn}: PASID entry ${pasid} of ${bdf} zeroed`);
    return { did };
  }

  release(bdf: string): void {
    const t = this.device(bdf);
    if (!t.contextPresent || t.contextAddr === undefined) {
      throw new ActionError(`${bdf} has no present context entry: it was never attached`);
    }
    const dir = this.directoryOf(t);
    const pasid0 = dir ? this.pasidEntryAddr(t, dir, 0, false) : undefined;
    const present0 =
      pasid0 !== undefined && fieldOf(PASID_ENTRY, this.read(pasid0, 1), 'present') === 1n;
    const caller = this.v61 ? 'dmar_remove_one_dev_info -> ' : 'device_block_translation -> ';
    const torn = present0 ? this.tearDown(bdf, 0, caller) : undefined;
    const ctx = t.contextAddr;
    if (this.v61) {
      // As captured: the present bit goes first, the flushes carry the domain's DID, and the entry is
      // all zero by the end.
      const did = torn?.did ?? 0;
      const fn = 'domain_context_clear_one';
      this.write(
        ctx,
        [t.context[0]! & ~1n],
        `${fn}: context entry of ${bdf}: clear the present bit`,
      );
      this.submit(
        contextCacheDesc('device', did, t.sid),
        `${fn}: context-cache device-selective ${bdf}, old DID ${hexDid(did)}`,
      );
      this.submit(
        pasidCacheDesc('domain', did, 0),
        `${fn}: PASID-cache domain-selective DID ${hexDid(did)}`,
      );
      this.submit(iotlbDesc('domain', did), `${fn}: IOTLB domain-selective DID ${hexDid(did)}`);
      this.write(ctx, [0n, 0n, 0n, 0n], `${fn}: context entry of ${bdf} zeroed`);
      return;
    }
    const fn = 'intel_pasid_teardown_sm_context -> device_pasid_table_teardown';
    this.write(ctx, [0n, 0n, 0n, 0n], `${fn}: context entry of ${bdf} zeroed`);
    // context_domain_id() of a scalable-mode entry is 0; hardware ignores the DID here anyway.
    this.submit(
      contextCacheDesc('device', 0, t.sid),
      `${fn} -> intel_context_flush_no_pasid: context-cache device-selective ${bdf}, DID 0`,
    );
  }
}

/** The steps Linux's driver produces for `action` on `guest`, or why it would not. */
export function linuxActionSteps(
  guest: LinuxGuest,
  action: LinuxAction,
  options: LinuxActionOptions,
): LinuxActionResult {
  const driver = new LinuxDriver(guest, options);
  try {
    switch (action.kind) {
      case 'setRootTable':
        driver.setRootTable();
        break;
      case 'setupPasid':
        driver.setupPasid(action);
        break;
      case 'mapContext':
        driver.mapContext(action.bdf, action.did);
        break;
      case 'tearDown':
        driver.tearDown(action.bdf, action.pasid, '');
        break;
      case 'release':
        driver.release(action.bdf);
        break;
    }
  } catch (e) {
    if (e instanceof ActionError) return { ok: false, message: e.message };
    throw e;
  }
  return { ok: true, steps: driver.result() };
}

/** A one-line title of an action, for menus and notes. */
export function describeLinuxAction(action: LinuxAction, options: LinuxActionOptions): string {
  const flavour = `${LINUX_FLAVOUR_TITLES[options.flavour]}${options.cachingMode ? '' : ', caching mode off'}`;
  switch (action.kind) {
    case 'setRootTable':
      return `Set the root table (${flavour})`;
    case 'setupPasid':
      return `Set up PASID ${action.pasid} of ${action.bdf}, ${action.setup}${action.setup === 'pass-through' ? '' : `, DID ${hexDid(action.did)}`} (${flavour})`;
    case 'mapContext':
      return `Map the context of ${action.bdf} (${flavour})`;
    case 'tearDown':
      return `Tear down PASID ${action.pasid} of ${action.bdf} (${flavour})`;
    case 'release':
      return `Release ${action.bdf} (hot-unplug) (${flavour})`;
  }
}
