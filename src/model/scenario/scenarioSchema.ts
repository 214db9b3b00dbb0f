// The scenario file format, as zod schemas. This comment is the format's reference. The contract
// part follows the team's scenario-format.md; everything marked "authoring" is PASIDscope's own
// optional addition for people who write scenarios by hand.
//
// Numbers
//   64-bit words and addresses are hex strings "0x..." (any case, no separators). Small values (bus,
//   devfn, PASID, DID, bit counts) are JSON integers; a hex string is accepted too.
//   A memory block or write step must fit below 2^64: one that runs past the end of the address
//   space is refused (it must never wrap to address 0).
//
// File
//   format "pasidscope-scenario" and version 1 (required); title, description (optional text);
//   variant "seed" | "series" | "series-fixed" (default "seed");
//   iommu { scalableMode, fsts, pasidBits, awBits, queueWidth, rootTableAddr, rootScalable,
//           dmarEnabled, svm, guestRamBytes }  -- only rootTableAddr is required; svm needs fsts
//           and pasidBits > 0;
//   devices [ { bdf "BB:DD.F", backend "iommufd" | "vfio-legacy" | "emulated", maxPasidLog2,
//               pasidAddressSpaces [PASID...] (emulated only), name } ];
//   memory [ { addr, qwords [...] } ]  -- initial guest memory, little-endian qwords at addr, addr+8...;
//   tables { ... }                     -- authoring, see below; written into the same initial memory
//                                         after `memory`;
//   steps [ ... ]                      -- run in order;
//   hostFaults [ { step, bdf, pasid, op } ] -- host calls made to fail (host-side.md): every call of
//                                         kind op ("faultq", "alloc", "attach", "detach",
//                                         "invalidate") for that iommufd device and PASID during
//                                         that step (an index into `steps`).
//   Unknown keys are ignored with a warning, so files from newer versions still load; an unknown
//   field name inside a structure (authoring form) is an error, since it would change no bit.
//
// Steps (contract)
//   { "op": "write", "addr": "0x...", "qwords": ["0x...", ...] }
//   { "op": "invalidate", "desc": ["0x...", "0x..."] }          raw descriptor, 2 or 4 words, val[0] first
//   { "op": "invalidate", "granularity": "domain" | "pasid" | "global", "did": 3, "pasid": 7 }
//                                            PASID-cache descriptor by field (missing did/pasid = 0)
//   { "op": "invalidate", "type": "piotlb", "granularity": "pasid" | "page", "did": 3, "pasid": 5,
//     "addr": "0x7000", "am": 2, "ih": true } PASID-based IOTLB descriptor by field:
//                                            [6 | G << 4 | did << 16 | pasid << 32, addr | ih << 6 | am,
//                                            0, 0], G = 2 (pasid) or 3 (page); addr 4 KiB aligned
//                                            (default 0), am 0..63 (default 0), ih default false.
//                                            "type": "pasid-cache" (the default) is the form above.
//   { "op": "clearIqe" }                     the guest clears FSTS.IQE
//   Every step may carry a "note" (text shown beside the step).
//
// Steps (authoring): descriptors by field
//   { "op": "invalidate", "cache": "context", "granularity": "global" | "domain" | "device",
//     "did": 3, "bdf": "00:02.0", "fm": 0 }  context-cache descriptor (did for domain, bdf/fm for device)
//   { "op": "wait", "sw": true, "statusData": 2, "statusAddr": "0x...", "if": false, "fn": false }
//                                            invalidation-wait descriptor (fields as in WAIT_DESC)
//   Each becomes the raw 4-word descriptor, encoded with the field tables of ../bits/structures.ts.
//
// Steps (authoring): structure writes by field. Each merges the given fields onto the entry as it is
// in guest memory at that point ("clear": true starts from an all-zero entry instead) and becomes a
// raw `write` of the changed words. Field names are those of ../bits/structures.ts (ROOT_ENTRY,
// CONTEXT_ENTRY, PASID_DIR_ENTRY, PASID_ENTRY); flags take true/false (or 0/1), numbers an integer or
// hex string, addresses a hex string, PGTT a name ("first-stage", "second-stage", "pass-through",
// "nested", "invalid") or its number.
//   { "op": "writeRootEntry",     "bus": 0,                          "fields": { "lowerPresent": false } }
//   { "op": "writeContextEntry",  "bdf": "00:02.0",                  "fields": { "present": true } }
//   { "op": "writePasidDirEntry", "bdf": "00:02.0", "index": 1,      "fields": { "present": false } }
//   { "op": "writePasidEntry",    "bdf": "00:02.0", "pasid": 5,      "fields": { "present": false } }
//   Missing structures are allocated on the way: a context table (its root-entry half is written
//   present, as a `write` step of its own placed before), a PASID directory when a context entry
//   gets no pasidDirPtr (nothing to write: it starts empty), a PASID table (its directory entry is
//   written present, as a step of its own). So one authoring step can become two raw steps; the run
//   reports the raw steps, each with a note saying what it writes.
//
// Tables (authoring): the initial VT-d structures by field.
//   "tables": {
//     "devices": [
//       { "bdf": "00:02.0",
//         "directory": { "addr": "0x...", "pdts": 7 },   both optional: where the PASID directory lives
//                                      and how big it is (2^(pdts+7) entries); pdts defaults to what
//                                      Linux picks for the device's maxPasidLog2 (2 for no PASID, 7 for 20)
//         "context": { "present": true, "pdts": 0 },    the context entry's fields; present defaults
//                                      to true, pdts and pasidDirPtr to the directory; null = leave the
//                                      context entry unwritten (the guest writes it in a later step)
//         "dirEntries": [ { "index": 0, "present": false } ],  directory entries to adjust (optional)
//         "pasids": [
//           { "pasid": 0, "present": true, "pgtt": "pass-through", "did": 1 },
//           { "pasidRange": [64, 127], "present": true, "pgtt": "first-stage", "did": 3,
//             "fsptptr": "0x7000" },        every PASID of the range gets the same fields
//           { "pasid": 9, "words": ["0x...", ...], "did": 4 }  raw words as the base, fields on top
//         ] }
//     ],
//     "rootEntries": [ { "bus": 0, "upperPresent": false } ]   root-entry halves to adjust (optional)
//   }
//   PASID entries start from zero (or `words`); directory entries from {present, pasidTablePtr} of a
//   PASID table allocated for them. Addresses that are not given are allocated page-aligned in free
//   guest RAM (the root table is at iommu.rootTableAddr): pages used by `memory`, by `write` steps and
//   by every explicit address in the file are never handed out.

import { z } from 'zod';
import type { BitField, StructureLayout } from '../bits/bitFields.ts';
import { CONTEXT_ENTRY, PASID_DIR_ENTRY, PASID_ENTRY, ROOT_ENTRY } from '../bits/structures.ts';
import type { ValueResult } from './scenarioValues.ts';
import {
  ADDRESS_SPACE_END,
  describeValue,
  hexAddr,
  readBdf,
  readHex64,
  readSmallInt,
} from './scenarioValues.ts';
import { SCENARIO_FORMAT, SCENARIO_VERSION } from './scenarioFormat.ts';
import { HOST_FAULT_OPS } from './scenarioTypes.ts';

export { SCENARIO_FORMAT, SCENARIO_VERSION };

export const MAX_PASID = 0xfffff;
export const MAX_DID = 0xffff;

/** Runs a value reader inside zod; a missing required key says so. */
function fromReader<T>(read: (v: unknown) => ValueResult<T>, expected: string) {
  return z.unknown().transform((v, ctx): T => {
    const r: ValueResult<T> =
      v === undefined ? { ok: false, message: `required: expected ${expected}` } : read(v);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.message, input: v });
      return z.NEVER;
    }
    return r.value;
  });
}

const hex64 = (what = 'a hex string like 0x1f') => fromReader((v) => readHex64(v, what), what);

const smallInt = (max: number, what: string) =>
  fromReader((v) => readSmallInt(v, max, what), `${what}: an integer 0..${max}`);

/** A small value that must be one of a few numbers ("aw-bits: 39 or 48"). */
function intChoice<const T extends readonly number[]>(values: T, what: string) {
  const list = values.join(' or ');
  return fromReader((v): ValueResult<T[number]> => {
    const r = readSmallInt(v, 0xffff, what);
    const hit = r.ok ? values.find((x) => x === r.value) : undefined;
    return hit !== undefined
      ? { ok: true, value: hit }
      : { ok: false, message: `expected ${what}: ${list}; got ${describeValue(v)}` };
  }, `${what}: ${list}`);
}

const boolean = () =>
  fromReader(
    (v): ValueResult<boolean> =>
      typeof v === 'boolean'
        ? { ok: true, value: v }
        : { ok: false, message: `expected true or false, got ${describeValue(v)}` },
    'true or false',
  );

const text = () =>
  fromReader(
    (v): ValueResult<string> =>
      typeof v === 'string'
        ? { ok: true, value: v }
        : { ok: false, message: `expected a string, got ${describeValue(v)}` },
    'a string',
  );

function oneOf<const T extends readonly (string | number)[]>(values: T, what: string) {
  const list = values.map((x) => JSON.stringify(x)).join(', ');
  return fromReader((v): ValueResult<T[number]> => {
    const hit = values.find((x) => x === v);
    return hit !== undefined
      ? { ok: true, value: hit }
      : { ok: false, message: `expected ${what}: one of ${list}; got ${describeValue(v)}` };
  }, `${what}: one of ${list}`);
}

const bdf = () => fromReader(readBdf, 'a BDF like 00:02.0');

const hexList = (what: string) => z.array(hex64(), { error: listError(what) });

function listError(what: string) {
  return (iss: { readonly input?: unknown; readonly code?: string }): string | undefined =>
    iss.code === 'invalid_type'
      ? `${iss.input === undefined ? 'required: ' : ''}expected a list of ${what}, got ${describeValue(iss.input)}`
      : undefined;
}

function objectError(what: string) {
  return (iss: { readonly input?: unknown; readonly code?: string }): string | undefined =>
    iss.code === 'invalid_type'
      ? `${iss.input === undefined ? 'required: ' : ''}expected ${what}, got ${describeValue(iss.input)}`
      : undefined;
}

// ---------------------------------------------------------------------------------------------
// Fields of a VT-d structure, by name (authoring)

/** Display values (addresses as addresses) by field name, in the order written. */
export type FieldValues = Readonly<Record<string, bigint>>;

function fieldMax(f: BitField): bigint {
  return (1n << BigInt(f.width)) - 1n;
}

/** Reads one field value as a person writes it; returns the display value. */
export function readFieldValue(f: BitField, v: unknown): ValueResult<bigint> {
  const max = fieldMax(f);
  switch (f.kind) {
    case 'flag':
      if (v === true || v === 1) return { ok: true, value: 1n };
      if (v === false || v === 0) return { ok: true, value: 0n };
      return {
        ok: false,
        message: `expected true or false for ${f.label}, got ${describeValue(v)}`,
      };
    case 'enum': {
      if (typeof v === 'string' && !v.startsWith('0x') && !v.startsWith('0X')) {
        const names = Object.entries(f.values ?? {});
        const hit = names.find(([, name]) => name.toLowerCase() === v.toLowerCase());
        if (hit) return { ok: true, value: BigInt(hit[0]) };
        const known = names
          .filter(([, name]) => !name.startsWith('reserved'))
          .map(([, name]) => JSON.stringify(name))
          .join(', ');
        return {
          ok: false,
          message: `expected a ${f.label} name (${known}) or a number 0..${max}, got ${describeValue(v)}`,
        };
      }
      return readFieldNumber(f, v, max);
    }
    case 'number':
    case 'reserved':
      return readFieldNumber(f, v, max);
    case 'address': {
      const r = readHex64(v, `an address like 0x1000 for ${f.label}`);
      if (!r.ok) return r;
      const align = 1n << BigInt(f.lo);
      if (r.value % align !== 0n) {
        return {
          ok: false,
          message: `${f.label} must be ${align}-byte aligned (its low ${f.lo} bits are other fields), got ${hexAddr(r.value)}`,
        };
      }
      if (r.value >> BigInt(f.lo) > max) {
        return {
          ok: false,
          message: `${f.label} does not fit in ${f.width + f.lo} bits: ${hexAddr(r.value)}`,
        };
      }
      return r;
    }
  }
}

function readFieldNumber(f: BitField, v: unknown, max: bigint): ValueResult<bigint> {
  const top = max < 256n ? max.toString() : hexAddr(max);
  const what = `${f.label} (${f.width} bit${f.width === 1 ? '' : 's'}): an integer 0..${top}`;
  let value: bigint;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) value = BigInt(v);
  else if (typeof v === 'string' && /^0[xX][0-9a-fA-F]+$/.test(v)) value = BigInt(v);
  else
    return {
      ok: false,
      message: `expected ${what} (a JSON number or hex string), got ${describeValue(v)}`,
    };
  if (value > max) return { ok: false, message: `expected ${what}, got ${describeValue(v)}` };
  return { ok: true, value };
}

type Ctx = z.core.$RefinementCtx;

/** Reads every key of `obj` not in `skip` as a field of `layout`; unknown names are errors. */
function readFields(
  layout: StructureLayout,
  obj: Readonly<Record<string, unknown>>,
  skip: readonly string[],
  ctx: Ctx,
): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (skip.includes(key)) continue;
    const f = layout.fields.find((x) => x.name === key);
    if (!f) {
      const known = layout.fields.map((x) => x.name).join(', ');
      ctx.addIssue({
        code: 'custom',
        path: [key],
        input: v,
        message: `unknown ${layout.name} field "${key}"; the fields are ${known}${skip.length ? `, plus ${skip.join(', ')}` : ''}`,
      });
      continue;
    }
    const r = readFieldValue(f, v);
    if (r.ok) out[key] = r.value;
    else ctx.addIssue({ code: 'custom', path: [key], input: v, message: r.message });
  }
  return out;
}

/** Reads a special (non-field) key of an authored entry with a reader. */
function readKey<T>(
  obj: Readonly<Record<string, unknown>>,
  key: string,
  read: (v: unknown) => ValueResult<T>,
  ctx: Ctx,
): T | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  const r = read(v);
  if (r.ok) return r.value;
  ctx.addIssue({ code: 'custom', path: [key], input: v, message: r.message });
  return undefined;
}

const record = (what: string) => z.record(z.string(), z.unknown(), { error: objectError(what) });

/** A plain field map: { "present": true, "did": 3 }. */
export function fieldMap(layout: StructureLayout) {
  return record(`an object of ${layout.name} fields`).transform((obj, ctx): FieldValues =>
    readFields(layout, obj, [], ctx),
  );
}

/** A field map, or null for "leave this structure unwritten". */
function nullableFieldMap(layout: StructureLayout) {
  const inner = fieldMap(layout);
  return z.unknown().transform((v, ctx): FieldValues | null => {
    if (v === null) return null;
    const r = inner.safeParse(v, { reportInput: true });
    if (r.success) return r.data;
    for (const iss of r.error.issues) {
      ctx.addIssue({ code: 'custom', path: [...iss.path], input: iss.input, message: iss.message });
    }
    return z.NEVER;
  });
}

const readPasid = (v: unknown) => readSmallInt(v, MAX_PASID, 'a PASID');

function readPasidRange(v: unknown): ValueResult<readonly [number, number]> {
  const bad = {
    ok: false as const,
    message: `expected [first, last] PASIDs (inclusive, first <= last <= 0xfffff), got ${describeValue(v)}`,
  };
  if (!Array.isArray(v) || v.length !== 2) return bad;
  const a = readPasid(v[0]);
  const b = readPasid(v[1]);
  if (!a.ok) return a;
  if (!b.ok) return b;
  if (a.value > b.value) return bad;
  return { ok: true, value: [a.value, b.value] };
}

function readWords(count: number) {
  return (v: unknown): ValueResult<readonly bigint[]> => {
    if (!Array.isArray(v) || v.length === 0 || v.length > count) {
      return {
        ok: false,
        message: `expected a list of 1..${count} hex words, got ${describeValue(v)}`,
      };
    }
    const out: bigint[] = [];
    for (const w of v) {
      const r = readHex64(w);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return { ok: true, value: out };
  };
}

export interface AuthoredPasidEntry {
  /** first and last PASID (inclusive); one PASID when equal */
  readonly first: number;
  readonly last: number;
  readonly words?: readonly bigint[];
  readonly fields: FieldValues;
}

const pasidEntryItem = record('a PASID entry: { "pasid": 5, ...fields }').transform(
  (obj, ctx): AuthoredPasidEntry => {
    const pasid = readKey(obj, 'pasid', readPasid, ctx);
    const range = readKey(obj, 'pasidRange', readPasidRange, ctx);
    const words = readKey(obj, 'words', readWords(PASID_ENTRY.words), ctx);
    const fields = readFields(PASID_ENTRY, obj, ['pasid', 'pasidRange', 'words'], ctx);
    if ((obj.pasid === undefined) === (obj.pasidRange === undefined)) {
      ctx.addIssue({
        code: 'custom',
        input: obj,
        message: 'expected exactly one of "pasid" (one PASID) or "pasidRange" ([first, last])',
      });
    }
    const [first, last] = range ?? [pasid ?? 0, pasid ?? 0];
    return { first, last, fields, ...(words ? { words } : {}) };
  },
);

export interface AuthoredDirEntry {
  readonly index: number;
  readonly fields: FieldValues;
}

const dirEntryItem = record('a directory entry: { "index": 0, ...fields }').transform(
  (obj, ctx): AuthoredDirEntry => {
    const index =
      obj.index === undefined
        ? (ctx.addIssue({
            code: 'custom',
            path: ['index'],
            message: 'required: expected the directory index (PASID >> 6): an integer 0..0x3fff',
          }),
          0)
        : (readKey(obj, 'index', (v) => readSmallInt(v, 0x3fff, 'a directory index'), ctx) ?? 0);
    return { index, fields: readFields(PASID_DIR_ENTRY, obj, ['index'], ctx) };
  },
);

export interface AuthoredRootEntry {
  readonly bus: number;
  readonly fields: FieldValues;
}

const rootEntryItem = record('a root entry: { "bus": 0, ...fields }').transform(
  (obj, ctx): AuthoredRootEntry => {
    const bus =
      obj.bus === undefined
        ? (ctx.addIssue({
            code: 'custom',
            path: ['bus'],
            message: 'required: expected a bus: an integer 0..255',
          }),
          0)
        : (readKey(obj, 'bus', (v) => readSmallInt(v, 255, 'a bus'), ctx) ?? 0);
    return { bus, fields: readFields(ROOT_ENTRY, obj, ['bus'], ctx) };
  },
);

const directorySchema = z.strictObject(
  {
    addr: hex64('a 4 KiB-aligned address like 0x10000').optional(),
    pdts: smallInt(7, 'a PDTS').optional(),
  },
  { error: objectError('an object { "addr"?, "pdts"? }') },
);

const tableDeviceSchema = z.strictObject(
  {
    bdf: bdf(),
    directory: directorySchema.optional(),
    context: nullableFieldMap(CONTEXT_ENTRY).optional(),
    dirEntries: z.array(dirEntryItem, { error: listError('directory entries') }).optional(),
    pasids: z.array(pasidEntryItem, { error: listError('PASID entries') }).optional(),
  },
  {
    error: objectError(
      'an object describing one device\'s tables { "bdf", "context", "pasids", ... }',
    ),
  },
);

const tablesSchema = z.strictObject(
  {
    devices: z.array(tableDeviceSchema, { error: listError('devices') }).optional(),
    rootEntries: z.array(rootEntryItem, { error: listError('root entries') }).optional(),
  },
  { error: objectError('an object { "devices": [...], "rootEntries": [...] }') },
);

// ---------------------------------------------------------------------------------------------
// Steps

/**
 * Refuses qwords that would land at 2^64 and up. GuestMemory wraps addresses modulo 2^64 as QEMU's
 * dma_addr_t does, so such a block would silently overwrite low memory (the root table at 0);
 * no guest writes across the top of the address space, so a file that does is a mistake.
 */
function withinAddressSpace(
  block: { readonly addr: bigint; readonly qwords: readonly bigint[] },
  ctx: z.core.$RefinementCtx,
): void {
  const end = block.addr + 8n * BigInt(block.qwords.length);
  if (end <= ADDRESS_SPACE_END) return;
  // The first qword that does not fit whole below 2^64.
  const first = Number((ADDRESS_SPACE_END - block.addr) / 8n);
  ctx.addIssue({
    code: 'custom',
    path: ['qwords', first],
    message: `runs past the end of the 64-bit address space: qword ${first} does not fit below 2^64 (the ${block.qwords.length} qwords span ${hexAddr(block.addr)}..${hexAddr(end - 1n)}); addresses never wrap to 0`,
    input: block.qwords[first],
  });
}

const note = text().optional();

const writeStep = z
  .strictObject({
    op: z.literal('write'),
    addr: hex64('an address like 0x1000'),
    qwords: hexList('hex qwords'),
    note,
  })
  .superRefine(withinAddressSpace);

const invalidateStep = z.strictObject({
  op: z.literal('invalidate'),
  desc: hexList('descriptor words').optional(),
  type: oneOf(['pasid-cache', 'piotlb'], 'a descriptor type').optional(),
  cache: oneOf(['pasid', 'context'], 'the cache the descriptor invalidates').optional(),
  granularity: oneOf(['domain', 'pasid', 'global', 'device', 'page'], 'a granularity').optional(),
  did: smallInt(MAX_DID, 'a domain ID').optional(),
  pasid: smallInt(MAX_PASID, 'a PASID').optional(),
  bdf: bdf().optional(),
  fm: smallInt(3, 'a function mask').optional(),
  addr: hex64('a 4 KiB-aligned address like 0x7000').optional(),
  am: smallInt(63, 'an address mask').optional(),
  ih: boolean().optional(),
  note,
});

const clearIqeStep = z.strictObject({ op: z.literal('clearIqe'), note });

const waitStep = z.strictObject({
  op: z.literal('wait'),
  if: boolean().optional(),
  sw: boolean().optional(),
  fn: boolean().optional(),
  statusData: smallInt(0xffff_ffff, 'the status data').optional(),
  statusAddr: hex64('a 4-byte aligned address like 0x1000').optional(),
  note,
});

const clear = boolean().optional();

const writeRootEntryStep = z.strictObject({
  op: z.literal('writeRootEntry'),
  bus: smallInt(255, 'a bus'),
  fields: fieldMap(ROOT_ENTRY),
  clear,
  note,
});

const writeContextEntryStep = z.strictObject({
  op: z.literal('writeContextEntry'),
  bdf: bdf(),
  fields: fieldMap(CONTEXT_ENTRY),
  clear,
  note,
});

const writePasidDirEntryStep = z.strictObject({
  op: z.literal('writePasidDirEntry'),
  bdf: bdf(),
  index: smallInt(0x3fff, 'a directory index'),
  fields: fieldMap(PASID_DIR_ENTRY),
  clear,
  note,
});

const writePasidEntryStep = z.strictObject({
  op: z.literal('writePasidEntry'),
  bdf: bdf(),
  pasid: smallInt(MAX_PASID, 'a PASID'),
  fields: fieldMap(PASID_ENTRY),
  clear,
  note,
});

// Steps (authoring): the Linux driver's actions (see ../linux/linuxActions.ts)
//   { "op": "linux", "action": "setRootTable" | "setupPasid" | "mapContext" | "tearDown" | "release",
//     "bdf": "00:02.0", "pasid": 0, "did": 2, "setup": "second-stage" | "pass-through" | "first-stage",
//     "pageTable": "0x200000", "flavour": "linux-6.1" | "linux-2026", "cachingMode": true,
//     "statusAddr": "0x..." }
//   becomes the writes and descriptors (each batch with its wait descriptor) Linux's intel-iommu driver
//   issues, each with a note naming the kernel function. flavour defaults to "linux-6.1", cachingMode
//   to true, pasid to 0, setup to "second-stage"; statusAddr to the last wait descriptor's.
const linuxStep = z.strictObject({
  op: z.literal('linux'),
  action: oneOf(
    ['setRootTable', 'setupPasid', 'mapContext', 'tearDown', 'release'],
    'a Linux driver action',
  ),
  bdf: bdf().optional(),
  pasid: smallInt(MAX_PASID, 'a PASID').optional(),
  did: smallInt(MAX_DID, 'a domain ID').optional(),
  setup: oneOf(['second-stage', 'pass-through', 'first-stage'], 'a PASID set-up').optional(),
  pageTable: hex64('a 4 KiB-aligned page-table address like 0x200000').optional(),
  flavour: oneOf(['linux-6.1', 'linux-2026'], 'a driver flavour').optional(),
  cachingMode: boolean().optional(),
  statusAddr: hex64('a 4-byte aligned address like 0x1000').optional(),
  note,
});

export const STEP_OPS = [
  'write',
  'invalidate',
  'clearIqe',
  'wait',
  'writeRootEntry',
  'writeContextEntry',
  'writePasidDirEntry',
  'writePasidEntry',
  'linux',
] as const;

const stepSchema = z.discriminatedUnion('op', [
  writeStep,
  invalidateStep,
  clearIqeStep,
  waitStep,
  writeRootEntryStep,
  writeContextEntryStep,
  writePasidDirEntryStep,
  writePasidEntryStep,
  linuxStep,
]);

// ---------------------------------------------------------------------------------------------
// Top level

const iommuSchema = z.strictObject(
  {
    scalableMode: boolean().optional(),
    fsts: boolean().optional(),
    pasidBits: smallInt(20, 'pasid-bits').optional(),
    awBits: intChoice([39, 48], 'aw-bits').optional(),
    queueWidth: intChoice([128, 256], 'a queue width (IQA.DW)').optional(),
    rootTableAddr: hex64('the root-table address (RTADDR) as a hex string like 0x1000'),
    rootScalable: boolean().optional(),
    dmarEnabled: boolean().optional(),
    svm: boolean().optional(),
    guestRamBytes: hex64('the guest RAM size as a hex string like 0x40000000').optional(),
  },
  { error: objectError('an object of IOMMU settings (at least "rootTableAddr")') },
);

const deviceSchema = z.strictObject(
  {
    bdf: bdf(),
    backend: oneOf(['iommufd', 'vfio-legacy', 'emulated'], 'a backend'),
    maxPasidLog2: smallInt(20, 'maxPasidLog2').optional(),
    pasidAddressSpaces: z
      .array(smallInt(MAX_PASID, 'a PASID'), { error: listError('PASIDs') })
      .optional(),
    name: text().optional(),
  },
  { error: objectError('a device { "bdf", "backend", ... }') },
);

const hostFaultSchema = z.strictObject(
  {
    step: smallInt(0xffff_ffff, 'a step index'),
    bdf: bdf(),
    pasid: smallInt(MAX_PASID, 'a PASID'),
    op: oneOf(HOST_FAULT_OPS, 'a host call that can fail'),
  },
  { error: objectError('a host fault { "step", "bdf", "pasid", "op" }') },
);

const memoryBlockSchema = z
  .strictObject(
    { addr: hex64('an address like 0x1000'), qwords: hexList('hex qwords') },
    { error: objectError('a memory block { "addr", "qwords" }') },
  )
  .superRefine(withinAddressSpace);

// Quiz (teaching; optional): which steps a learner is asked to predict before they run.
//   "quiz": { "title": "…", "questions": [ { "step": 12, "question": "What happens to PASID 5?" } ] }
//   step indexes the scenario's steps as the run numbers them (after the authoring form is resolved)
//   and must be an invalidation.
const quizQuestionSchema = z.strictObject(
  { step: smallInt(0xffff_ffff, 'a step index'), question: text().optional() },
  { error: objectError('a quiz question { "step", "question"? }') },
);

const quizSchema = z.strictObject(
  {
    title: text().optional(),
    questions: z.array(quizQuestionSchema, { error: listError('quiz questions') }),
  },
  { error: objectError('a quiz { "title"?, "questions": [...] }') },
);

export const scenarioFileSchema = z.strictObject(
  {
    format: fromReader(
      (v): ValueResult<typeof SCENARIO_FORMAT> =>
        v === SCENARIO_FORMAT
          ? { ok: true, value: SCENARIO_FORMAT }
          : {
              ok: false,
              message: `expected "${SCENARIO_FORMAT}" (this is not a PASIDscope scenario file), got ${describeValue(v)}`,
            },
      `"${SCENARIO_FORMAT}"`,
    ),
    version: fromReader(
      (v): ValueResult<typeof SCENARIO_VERSION> =>
        v === SCENARIO_VERSION
          ? { ok: true, value: SCENARIO_VERSION }
          : {
              ok: false,
              message: `expected version 1 (the only version so far), got ${describeValue(v)}`,
            },
      'version 1',
    ),
    title: text().optional(),
    description: text().optional(),
    variant: oneOf(['seed', 'series', 'series-fixed'], 'a variant').optional(),
    iommu: iommuSchema,
    devices: z.array(deviceSchema, { error: listError('devices') }).optional(),
    memory: z.array(memoryBlockSchema, { error: listError('memory blocks') }).optional(),
    tables: tablesSchema.optional(),
    steps: z.array(stepSchema, { error: listError('steps') }).optional(),
    hostFaults: z.array(hostFaultSchema, { error: listError('host faults') }).optional(),
    quiz: quizSchema.optional(),
  },
  { error: objectError('a JSON object (a PASIDscope scenario)') },
);

export type ScenarioFile = z.output<typeof scenarioFileSchema>;
export type FileStep = z.output<typeof stepSchema>;
export type FileTables = z.output<typeof tablesSchema>;
