// Our own pseudo-code of each QEMU function in the trace's function list (QemuFn), written to be
// read beside the real C code: each block names the real function and its file, and each line that an
// event can execute carries a tag, so that the pane highlights the line the current event runs.
// This is a paraphrase for teaching, not QEMU's source.

import { QEMU_FUNCTIONS, QemuFn, type Variant } from '../../model/core.ts';

export interface PseudoLine {
  readonly text: string;
  readonly indent: number;
  /** Set on lines an event can execute. */
  readonly tag?: string;
  /** Only these variants have the line. */
  readonly variants?: readonly Variant[];
  /** Text that replaces `text` under some variants. */
  readonly variantText?: Partial<Readonly<Record<Variant, string>>>;
}

export interface PseudoFunction {
  readonly fn: QemuFn;
  readonly name: string;
  readonly file: string;
  readonly signature: string;
  readonly lines: readonly PseudoLine[];
}

const SERIES: readonly Variant[] = ['series', 'series-fixed'];

/** Compact line notation: [indent, text, tag?, variants?]. */
type L = readonly [number, string, string?, (readonly Variant[])?];

function fnDef(fn: QemuFn, signature: string, lines: readonly (L | PseudoLine)[]): PseudoFunction {
  const info = QEMU_FUNCTIONS[fn];
  return {
    fn,
    name: info.name,
    file: info.file,
    signature,
    lines: lines.map((l) => {
      if (!Array.isArray(l)) return l as PseudoLine;
      const [indent, text, tag, variants] = l as L;
      return {
        indent,
        text,
        ...(tag ? { tag } : {}),
        ...(variants ? { variants } : {}),
      };
    }),
  };
}

export const PSEUDOCODE: Readonly<Record<QemuFn, PseudoFunction>> = {
  [QemuFn.guest]: fnDef(QemuFn.guest, 'the guest OS (e.g. Linux intel-iommu)', [
    [0, 'write root, context, directory and PASID entries to its memory', 'write'],
    [0, 'queue invalidation descriptors and move the queue tail (IQT)', 'queue'],
    [0, 'after a queue error: clear FSTS.IQE so the queue runs again', 'clear-iqe'],
  ]),
  [QemuFn.vtd_process_inv_desc]: fnDef(
    QemuFn.vtd_process_inv_desc,
    'bool vtd_process_inv_desc(IntelIOMMUState *s)',
    [
      [0, 'if FSTS.IQE is set:', 'iqe-check'],
      [1, 'the descriptor stays queued: it is not processed (blocked)', 'blocked'],
      [0, 'desc = read the queue at IQA + head × (256-bit queue ? 32 : 16)', 'fetch'],
      [0, 'switch (type = val[0] bits 3:0 | bits 11:9 << 4):'],
      [1, 'case PASID-cache (7): ok = vtd_process_pasid_desc(s, &desc)', 'pc'],
      [1, 'case wait (5):        ok = vtd_process_wait_desc(s, &desc)', 'wait'],
      [1, 'case context-cache (1): ok = vtd_process_context_cache_desc(s, &desc)', 'cc'],
      [
        1,
        'case IOTLB, device-TLB, IEC, PASID-IOTLB, …: checked; no PASID-cache effect',
        'noeffect',
      ],
      [1, 'default: ok = false   /* unknown type */', 'unknown'],
      [0, 'if (!ok): set FSTS.IQE, raise a fault event, stop before this descriptor', 'reject'],
    ],
  ),
  [QemuFn.vtd_process_pasid_desc]: fnDef(
    QemuFn.vtd_process_pasid_desc,
    'bool vtd_process_pasid_desc(IntelIOMMUState *s, VTDInvDesc *inv_desc)',
    [
      [
        0,
        'if (!s->iq_dw): error "256-bit pasid cache inv desc in 128-bit queue"; return false',
        'q128',
      ],
      [
        0,
        'if val[0] & 0xfff000000000f1c0 or val[1..3] != 0: error "reserved nonzero"; return false',
        'rsvd',
      ],
      [0, 'VTDPASIDCacheInfo pc_info = { 0 }   /* type, did, pasid */'],
      [0, 'switch (granularity = val[0] bits 5:4):'],
      [1, 'case DSI (0):      pc_info = { .type = DSI, .did = DID }', 'dsi'],
      [1, 'case PASID_SI (1): pc_info = { .type = PASID_SI, .did = DID, .pasid = PASID }', 'psi'],
      [1, 'case GLOBAL (3):   pc_info = { .type = GLOBAL }', 'gsi'],
      [1, 'default (2): error "invalid granularity field"; return false', 'g2'],
      [0, 'vtd_pasid_cache_sync(s, &pc_info)', 'sync'],
      [0, 'return true'],
    ],
  ),
  [QemuFn.vtd_process_wait_desc]: fnDef(
    QemuFn.vtd_process_wait_desc,
    'bool vtd_process_wait_desc(IntelIOMMUState *s, VTDInvDesc *inv_desc)',
    [
      [0, 'if reserved bits set (lo & 0xfffff180, hi bits 1:0): return false', 'rsvd'],
      [0, 'if (SW): DMA-write the 4-byte status data to the status address', 'sw'],
      [1, 'if the write fails: return false', 'sw-fail'],
      [0, 'if (IF): set ICS.IWC and raise the completion interrupt', 'if'],
      [0, 'if none of IF, SW, FN is set: error "invalid wait desc"; return false', 'none'],
      [0, 'return true'],
    ],
  ),
  [QemuFn.vtd_process_context_cache_desc]: fnDef(
    QemuFn.vtd_process_context_cache_desc,
    'bool vtd_process_context_cache_desc(IntelIOMMUState *s, VTDInvDesc *inv_desc)',
    [
      [0, 'if reserved bits set: return false', 'rsvd'],
      [0, 'switch (granularity):'],
      [1, 'case GLOBAL, case DOMAIN (handled as global):', 'global'],
      [2, 'reset the context cache; vtd_replay_pasid_bindings_all(s)', 'replay'],
      [1, 'case DEVICE: for each address space of a matching source-id:', 'device'],
      [2, 'vtd_pasid_cache_devsi(vtd_as)   /* the accel lists are not touched */', 'devsi'],
      [1, 'default (0): return false', 'g0'],
      [0, 'return true'],
    ],
  ),
  [QemuFn.vtd_pasid_cache_sync]: fnDef(
    QemuFn.vtd_pasid_cache_sync,
    'void vtd_pasid_cache_sync(IntelIOMMUState *s, VTDPASIDCacheInfo *pc_info)',
    [
      [
        0,
        'if (!s->root_scalable || !s->dmar_enabled): return   /* accel sync skipped too */',
        'gated',
      ],
      [0, 'vtd_iommu_lock(s)', 'begin'],
      [0, 'for each vtd_as in s->vtd_address_spaces:', 'each-as'],
      [1, 'vtd_pasid_cache_sync_locked(vtd_as, pc_info)', 'emu'],
      [0, 'vtd_iommu_unlock(s)'],
      [0, 'vtd_accel_pasid_cache_sync(s, pc_info)', 'accel'],
    ],
  ),
  [QemuFn.vtd_pasid_cache_sync_locked]: fnDef(
    QemuFn.vtd_pasid_cache_sync_locked,
    'void vtd_pasid_cache_sync_locked(VTDAddressSpace *vtd_as, VTDPASIDCacheInfo *pc_info)',
    [
      [0, 'ret = vtd_dev_get_pe_from_pasid(s, bus, devfn, vtd_as->pasid, &pe)', 'lookup'],
      [0, 'if (ret):   /* the guest entry is not valid (any fault) */'],
      [1, 'if (!pc_entry->valid): return', 'not-cached'],
      [1, 'pc_entry->valid = false; unmap notifiers; switch address space', 'remove'],
      {
        indent: 1,
        text: 'return',
        tag: 'remove-return',
        variantText: {
          series: '/* no return here in the series as applied: falls through with pe */',
        },
      },
      [0, 'switch (pc_info->type):   /* removals above ignore this filter */'],
      [1, 'case PASID_SI: if (vtd_as->pasid != pc_info->pasid) return', 'pasid-filter'],
      [2, '/* fall through */'],
      [1, 'case DSI: did = pc_entry->valid ? DID(cached) : DID(pe)'],
      [2, 'if (did != pc_info->did) return', 'did-filter'],
      [0, 'if (!pc_entry->valid): pc_entry->pasid_entry = pe; valid = true', 'create'],
      [
        0,
        'else if (vtd_pasid_entry_compare(&pe, pc_entry) == 0): return   /* equal */',
        'unchanged',
      ],
      [0, '/* memory differs: the cached copy is NOT overwritten */', 'differs'],
      [0, 'vtd_switch_address_space(vtd_as); vtd_address_space_sync(vtd_as)', 'switch'],
    ],
  ),
  [QemuFn.vtd_dev_get_pe_from_pasid]: fnDef(
    QemuFn.vtd_dev_get_pe_from_pasid,
    'int vtd_dev_get_pe_from_pasid(IntelIOMMUState *s, uint8_t bus, uint8_t devfn, uint32_t pasid, VTDPASIDEntry *pe)',
    [
      [0, 'if (!s->root_scalable): return -VTD_FR_RTADDR_INV_TTM (0x31)', 'not-scalable'],
      [
        0,
        'ret = vtd_dev_to_context_entry(s, bus, devfn, &ce)   /* incl. the PASID-0 check */',
        'context',
      ],
      [0, 'if (ret): return ret', 'context-fault'],
      [0, 'dir fetch (0x50), dir P (0x51), leaf fetch (0x58 / 0x5b), leaf P (0x59)', 'table'],
      [0, 'return 0   /* the entry is valid */', 'ok'],
    ],
  ),
  [QemuFn.vtd_dev_to_context_entry]: fnDef(
    QemuFn.vtd_dev_to_context_entry,
    'int vtd_dev_to_context_entry(IntelIOMMUState *s, uint8_t bus, uint8_t devfn, VTDContextEntry *ce)',
    [
      [0, 'read the root entry at RTADDR + bus × 16; failure: return -0x8', 'root-read'],
      [0, 'if the root half for devfn (lo < 128 ≤ hi) is not present: return -0x1', 'root-p'],
      [0, 'if root reserved bits are set: return -0xa', 'root-rsvd'],
      [0, 'read the 256-bit context entry at CTP + (devfn & 0x7f) × 32; failure: -0x9', 'ctx-read'],
      [0, 'if (!ce->present): return -0x2', 'ctx-p'],
      [0, 'if context reserved bits are set: return -0xb', 'ctx-rsvd'],
      [
        0,
        'if scalable: return vtd_ce_pasid_0_check(s, ce)   /* PASID 0 must be valid */',
        'pasid0',
      ],
      [0, 'return 0', 'ok'],
    ],
  ),
  [QemuFn.vtd_ce_pasid_0_check]: fnDef(
    QemuFn.vtd_ce_pasid_0_check,
    'int vtd_ce_pasid_0_check(IntelIOMMUState *s, VTDContextEntry *ce)',
    [
      [0, '/* scalable mode: a context entry counts only if its PASID-0 entry is valid */'],
      [0, 'return vtd_ce_get_pasid_entry(s, ce, &pe, IOMMU_NO_PASID)', 'check'],
    ],
  ),
  [QemuFn.vtd_get_pdire_from_pdir_table]: fnDef(
    QemuFn.vtd_get_pdire_from_pdir_table,
    'int vtd_get_pdire_from_pdir_table(dma_addr_t pasid_dir_base, uint32_t pasid, VTDPASIDDirEntry *pdire)',
    [
      [0, 'index = VTD_PASID_DIR_INDEX(pasid)   /* (pasid >> 6) & 0x3fff */', 'index'],
      [0, 'read 8 bytes at pasid_dir_base + index × 8', 'read'],
      [0, 'if the DMA read fails: return -VTD_FR_PASID_DIR_ACCESS_ERR (0x50)', 'fail'],
      [0, 'return 0   /* present bit not checked: the caller does */', 'ok'],
    ],
  ),
  [QemuFn.vtd_get_pe_in_pasid_leaf_table]: fnDef(
    QemuFn.vtd_get_pe_in_pasid_leaf_table,
    'int vtd_get_pe_in_pasid_leaf_table(IntelIOMMUState *s, uint32_t pasid, dma_addr_t addr, VTDPASIDEntry *pe)',
    [
      [0, 'index = VTD_PASID_TABLE_INDEX(pasid)   /* pasid & 0x3f */', 'index'],
      [0, 'read 64 bytes at addr + index × 64', 'read'],
      [0, 'if the DMA read fails: return -VTD_FR_PASID_TABLE_ACCESS_ERR (0x58)', 'fail'],
      [0, 'if (!vtd_pe_type_check(s, pe)): return -VTD_FR_PASID_TABLE_ENTRY_INV (0x5b)', 'pgtt'],
      [0, 'if SST and level AW+2 not in SAGAW, or FST and FSPM ≠ 0: return -0x5b', 'level'],
      [0, 'return 0   /* even when P = 0: the caller checks present */', 'ok'],
    ],
  ),
  [QemuFn.vtd_accel_pasid_cache_sync]: fnDef(
    QemuFn.vtd_accel_pasid_cache_sync,
    'void vtd_accel_pasid_cache_sync(IntelIOMMUState *s, VTDPASIDCacheInfo *pc_info)',
    [
      [0, 'if (!s->fsts): return', 'gated'],
      [0, 'start = 0; end = 1 << s->pasid   /* pasid-bits */', 'range'],
      [0, 'if (pc_info->type == PASID_SI): start = pc_info->pasid; end = start + 1', 'range-psi'],
      [0, 'for each vtd_hiod in s->vtd_host_iommu_dev:', 'device'],
      [1, 'if (vtd_hiod is not an iommufd device): continue'],
      [
        1,
        'vtd_accel_pasid_cache_invalidate(vtd_hiod, pc_info)   /* removal pass */',
        'invalidate',
        SERIES,
      ],
      [1, 'if (pc_info->accel_pce_deleted): clear it; continue', 'bypass', SERIES],
      [1, 'if (vtd_dev_to_context_entry(s, bus, devfn, &ce)): continue', 'skipped'],
      [1, 'walk_end = MIN(end, MIN(1 << max_pasid_log2, 2^(PDTS+7) × 64))', 'clamp'],
      [1, 'vtd_sm_pasid_table_walk(vtd_hiod, &ce, start, walk_end, pc_info)', 'walk'],
    ],
  ),
  [QemuFn.vtd_accel_pasid_cache_invalidate_one]: fnDef(
    QemuFn.vtd_accel_pasid_cache_invalidate_one,
    'void vtd_accel_pasid_cache_invalidate_one(VTDAccelPASIDCacheEntry *pc, VTDPASIDCacheInfo *pc_info)',
    [
      [0, 'switch (pc_info->type):'],
      [1, 'case PASID_SI: if (pc->pasid != pc_info->pasid) return', 'pasid-filter'],
      [2, '/* fall through */'],
      [
        1,
        'case DSI: if (DID(pc->pasid_entry) != pc_info->did) return   /* cached DID */',
        'did-filter',
      ],
      [
        0,
        'if (vtd_dev_get_pe_from_pasid(s, bus, devfn, pc->pasid, &pe) == 0): return',
        'still-valid',
      ],
      [0, 'vtd_accel_delete_pc(pc)   /* guest entry no longer valid */', 'delete'],
      [0, 'if (pc_info->type == PASID_SI): pc_info->accel_pce_deleted = true', 'flag'],
    ],
  ),
  [QemuFn.vtd_accel_delete_pc]: fnDef(
    QemuFn.vtd_accel_delete_pc,
    'void vtd_accel_delete_pc(VTDAccelPASIDCacheEntry *pc)',
    [
      [0, 'detach the PASID from its host HWPT   /* "Detaching from HWPT failed" */', 'detach'],
      [0, 'QLIST_REMOVE(pc, next); g_free(pc)', 'free'],
    ],
  ),
  [QemuFn.vtd_sm_pasid_table_walk]: fnDef(
    QemuFn.vtd_sm_pasid_table_walk,
    'void vtd_sm_pasid_table_walk(VTDHostIOMMUDevice *vtd_hiod, VTDContextEntry *ce, uint32_t start, uint32_t end, VTDPASIDCacheInfo *pc_info)',
    [
      [0, 'for (pasid = start; pasid < end; pasid = chunk_end):', 'loop'],
      [1, 'chunk_end = MIN(end, next multiple of 64 above pasid)'],
      [
        1,
        'if (vtd_get_pdire_from_pdir_table(dir_base, pasid, &pdire)): continue   /* 0x50 */',
        'read-failed',
      ],
      [1, 'if (!vtd_pdire_present(&pdire)): continue   /* 64 PASIDs skipped */', 'not-present'],
      [
        1,
        'vtd_sm_pasid_table_walk_one(vtd_hiod, pdire & ~0xfff, pasid, chunk_end, pc_info)',
        'present',
      ],
    ],
  ),
  [QemuFn.vtd_sm_pasid_table_walk_one]: fnDef(
    QemuFn.vtd_sm_pasid_table_walk_one,
    'void vtd_sm_pasid_table_walk_one(VTDHostIOMMUDevice *vtd_hiod, dma_addr_t pt_base, uint32_t start, uint32_t end, VTDPASIDCacheInfo *pc_info)',
    [
      [0, 'for (pasid = start; pasid < end; pasid++):', 'loop'],
      [
        1,
        'if (vtd_get_pe_in_pasid_leaf_table(s, pasid, pt_base, &pe)): continue   /* 0x58, 0x5b */',
        'fetch',
      ],
      [1, 'if (!vtd_pe_present(&pe)): continue', 'not-present'],
      [
        1,
        'if (pc_info->type != GLOBAL && DID(&pe) != pc_info->did): continue   /* memory DID */',
        'did',
      ],
      [1, 'vtd_accel_fill_pc(vtd_hiod, pasid, &pe)', 'fill'],
    ],
  ),
  [QemuFn.vtd_accel_fill_pc]: fnDef(
    QemuFn.vtd_accel_fill_pc,
    'void vtd_accel_fill_pc(VTDHostIOMMUDevice *vtd_hiod, uint32_t pasid, VTDPASIDEntry *pe)',
    [
      [
        0,
        'pc = first entry of vtd_hiod->pasid_cache_list with pc->pasid == pasid   /* linear */',
        'search',
      ],
      [0, 'if (pc):'],
      [
        1,
        'if (vtd_pasid_entry_compare(pe, &pc->pasid_entry) == 0): return   /* equal */',
        'unchanged',
      ],
      [1, 'pc->pasid_entry = *pe   /* overwrite the cached copy */', 'update'],
      [1, 're-attach the PASID to its host HWPT', 'reattach', SERIES],
      [1, 'return'],
      [
        0,
        'pc = g_new0(VTDAccelPASIDCacheEntry, 1); pc->pasid = pasid; pc->pasid_entry = *pe',
        'create',
      ],
      [0, 'QLIST_INSERT_HEAD(&vtd_hiod->pasid_cache_list, pc, next)', 'insert-head'],
      [
        0,
        'attach to the host HWPT   /* on failure the entry stays in the list */',
        'attach',
        SERIES,
      ],
    ],
  ),
  [QemuFn.vtd_replay_pasid_bindings_all]: fnDef(
    QemuFn.vtd_replay_pasid_bindings_all,
    'void vtd_replay_pasid_bindings_all(IntelIOMMUState *s)',
    [
      [0, 'VTDPASIDCacheInfo pc_info = { .type = GLOBAL }', 'global'],
      [0, 'vtd_pasid_cache_sync(s, &pc_info)', 'sync'],
    ],
  ),
  [QemuFn.vtd_pasid_cache_devsi]: fnDef(
    QemuFn.vtd_pasid_cache_devsi,
    'void vtd_pasid_cache_devsi(VTDAddressSpace *vtd_as)',
    [
      [0, 'if (!s->fsts || !s->root_scalable || !s->dmar_enabled): return', 'gated'],
      [0, 'VTDPASIDCacheInfo pc_info = { .type = GLOBAL }   /* this address space only */', 'info'],
      [0, 'vtd_pasid_cache_sync_locked(vtd_as, &pc_info)   /* accel lists untouched */', 'sync'],
    ],
  ),
  [QemuFn.vtd_device_attach_iommufd]: fnDef(
    QemuFn.vtd_device_attach_iommufd,
    'bool vtd_device_attach_iommufd(VTDHostIOMMUDevice *vtd_hiod, VTDAccelPASIDCacheEntry *pc)',
    [
      [0, 'if (PGTT is pass-through):'],
      [1, 'attach the PASID to the nesting parent (hwpt 1, GPA→HPA)', 'attach-parent'],
      [
        1,
        'if (that failed): report it, return   /* the entry stays, unbound */',
        'attach-parent-failed',
      ],
      [0, 'else   /* first stage */'],
      [
        1,
        'vtd_create_fs_hwpt(...) → new hwpt (and fault queue with svm + PRE)   /* may fail: return */',
      ],
      [1, 'attach the PASID to the new hwpt', 'attach'],
      [
        1,
        'if (that failed): free the new hwpt, then the new fault queue; return   /* old ids kept */',
        'attach-failed',
      ],
      [1, 'iommufd_backend_free_id(new hwpt / fault queue)   /* the failure path */', 'free-new'],
      [0, 'vtd_destroy_old_fs_hwpt(pc)   /* free the old S1 hwpt, then its fault queue */'],
      [0, 'record the new ids in pc (none for pass-through)'],
    ],
  ),
  [QemuFn.vtd_create_fs_hwpt]: fnDef(
    QemuFn.vtd_create_fs_hwpt,
    'bool vtd_create_fs_hwpt(VTDHostIOMMUDevice *vtd_hiod, VTDPASIDEntry *pe, uint32_t *fs_hwpt_id, uint32_t *fault_id)',
    [
      [0, 'if (svm && context entry has PRE):'],
      [1, 'iommufd_backend_alloc_faultq(...) → fault_id', 'faultq'],
      [1, 'if (that failed): return false', 'faultq-failed'],
      [
        0,
        's1 = { flags: SRE | EAFE | WPE from pe->val[2], addr_width: 48 + 9 * FSPM, pgtbl_addr: pe->val[2] & ~0xfff }',
      ],
      [
        0,
        'iommufd_backend_alloc_hwpt(parent hwpt, flags ALLOC_PASID [| FAULT_ID_VALID], &s1) → fs_hwpt_id',
        'alloc',
      ],
      [1, 'if (that failed): free the fault queue; return false', 'alloc-failed'],
      [1, 'iommufd_backend_free_id(fault_id)', 'free-new'],
    ],
  ),
  [QemuFn.vtd_destroy_old_fs_hwpt]: fnDef(
    QemuFn.vtd_destroy_old_fs_hwpt,
    'void vtd_destroy_old_fs_hwpt(VTDHostIOMMUDevice *vtd_hiod, VTDAccelPASIDCacheEntry *pc)',
    [
      [0, 'if (pc->fs_hwpt_id): iommufd_backend_free_id(pc->fs_hwpt_id)', 'free'],
      [0, 'if (pc->fault_id): iommufd_backend_free_id(pc->fault_id)   /* after the hwpt */'],
    ],
  ),
  [QemuFn.vtd_device_detach_iommufd]: fnDef(
    QemuFn.vtd_device_detach_iommufd,
    'bool vtd_device_detach_iommufd(VTDHostIOMMUDevice *vtd_hiod, VTDAccelPASIDCacheEntry *pc)',
    [
      [0, 'detach the PASID from its hwpt on the host', 'detach'],
      [
        0,
        'if (that failed): report it, return false   /* nothing freed: hwpt and fault queue leak */',
        'detach-failed',
      ],
      [0, 'vtd_destroy_old_fs_hwpt(pc)   /* free the S1 hwpt, then the fault queue */'],
    ],
  ),
  [QemuFn.vtd_flush_host_piotlb_all_locked]: fnDef(
    QemuFn.vtd_flush_host_piotlb_all_locked,
    'void vtd_flush_host_piotlb_all_locked(IntelIOMMUState *s, uint16_t did, uint32_t pasid, hwaddr addr, uint64_t npages, bool ih)',
    [
      [0, 'for each host IOMMU device, for each cached entry pc:', undefined, SERIES],
      [
        1,
        'if (pc->pasid != pasid || cached PGTT != first stage || cached DID != did): continue',
        undefined,
        SERIES,
      ],
      [
        0,
        'seed: only the PASID-0 address space, valid, cached first stage, cached DID = did, pasid == 0',
        undefined,
        ['seed'],
      ],
      [
        1,
        'iommufd_backend_invalidate_cache(fs_hwpt_id, { addr, npages, flags: ih ? LEAF : 0 })   /* id 0 fails */',
        'invalidate',
      ],
    ],
  ),
  [QemuFn.vtd_process_piotlb_desc]: fnDef(
    QemuFn.vtd_process_piotlb_desc,
    'bool vtd_process_piotlb_desc(IntelIOMMUState *s, VTDInvDesc *inv_desc)',
    [
      [0, 'if (!vtd_inv_desc_reserved_check(..., dw = true)): return false   /* 256-bit only */'],
      [0, 'did = val[0] bits 31:16; pasid = val[0] bits 51:32'],
      [0, 'granularity 2: the whole PASID: addr 0, npages all'],
      [
        0,
        'granularity 3: am = val[1] bits 5:0 (> 18: return false); addr = val[1] & ~0xfff; npages = 1 << am',
      ],
      [0, 'else: return false'],
      [0, 'vtd_flush_host_piotlb_all_locked(s, did, pasid, addr, npages, ih)'],
    ],
  ),
  [QemuFn.vtd_propagate_guest_pasid]: fnDef(
    QemuFn.vtd_propagate_guest_pasid,
    'void vtd_propagate_guest_pasid(VTDAddressSpace *vtd_as)   /* the seed era, PASID 0 only */',
    [
      [0, 'do_bind_unbind: (reached from vtd_pasid_cache_sync_locked)'],
      [0, 'if (the cached entry was just removed):'],
      [1, 'detach PASID 0 on the host', 'detach'],
      [
        1,
        'if (ok): free vtd_as->fs_hwpt_id   /* on failure the id stays in vtd_as */',
        'detach-failed',
      ],
      [0, 'else   /* created, or valid and memory differs: bind from the CACHED copy */'],
      [1, 'pass-through: attach PASID 0 to hwpt 1', 'attach-parent'],
      [2, 'on failure: report it   /* PASID 0 stays where it was */', 'attach-parent-failed'],
      [1, 'first stage: alloc a nested hwpt from the cached (possibly old) table', 'alloc'],
      [1, 'attach PASID 0 to it', 'attach'],
      [1, 'on failure: free the new hwpt   /* vtd_as keeps the old id */', 'attach-failed'],
      [1, 'free the new hwpt', 'free-new'],
      [1, 'on success: free the previous vtd_as->fs_hwpt_id and record the new one'],
    ],
  ),
};

/** The lines a variant shows, with their text for that variant. */
export function linesFor(fn: PseudoFunction, variant: Variant): readonly PseudoLine[] {
  return fn.lines
    .filter((l) => !l.variants || l.variants.includes(variant))
    .map((l) => {
      const t = l.variantText?.[variant];
      return t === undefined ? l : { ...l, text: t };
    });
}
