// Loading a scenario file: validate it against the format (scenarioSchema.ts), refuse what QEMU
// refuses, apply the defaults, resolve the authoring form, and return the normalised Scenario the
// model runs. Never throws: every problem comes back as { path, message }, where path is a JSON
// path such as $.steps[3].desc[1].

import type { z } from 'zod';
import type { StructureLayout } from '../bits/bitFields.ts';
import type { LinuxAction } from '../linux/linuxActions.ts';
import { encodeFields } from '../bits/bitFields.ts';
import { CONTEXT_CACHE_DESC, PASID_CACHE_DESC, WAIT_DESC } from '../bits/structures.ts';
import type { AuthoredStep, LinuxStep, PendingStep } from './scenarioAuthoring.ts';
import { resolveAuthoring } from './scenarioAuthoring.ts';
import { IOMMU_DEFAULTS } from './scenarioTypes.ts';
import type { FileStep, ScenarioFile } from './scenarioSchema.ts';
import { STEP_OPS, scenarioFileSchema } from './scenarioSchema.ts';
import type {
  DeviceConfig,
  HostFault,
  IommuConfig,
  MemoryBlock,
  Scenario,
  ScenarioStep,
} from './scenarioTypes.ts';
import { describeValue } from './scenarioValues.ts';
import { encodePiotlbDescriptor } from '../invalidation/piotlbDescriptor.ts';

export interface ScenarioIssue {
  /** JSON path of the value at fault, e.g. $.steps[3].desc[1] */
  readonly path: string;
  readonly message: string;
}

export type ParseScenarioResult =
  | { readonly ok: true; readonly scenario: Scenario; readonly warnings: string[] }
  | { readonly ok: false; readonly errors: ScenarioIssue[] };

/** `$` plus `.key` / `[index]` / `["odd key"]` segments. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

const EXPECTED_NAMES: Readonly<Record<string, string>> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  boolean: 'true or false',
  number: 'a number',
  record: 'an object',
  nonoptional: 'a value',
};

function formatZodIssue(iss: z.core.$ZodIssue): string {
  switch (iss.code) {
    case 'custom':
      return iss.message;
    case 'invalid_union': {
      if ('discriminator' in iss && iss.discriminator === 'op') {
        const ops = STEP_OPS.map((o) => `"${o}"`).join(', ');
        const input: unknown = iss.input;
        const op =
          typeof input === 'object' && input !== null && 'op' in input ? input.op : undefined;
        return op === undefined
          ? `required: expected "op", one of ${ops}`
          : `unknown op ${describeValue(op)}: expected one of ${ops}`;
      }
      return iss.message;
    }
    case 'invalid_type': {
      if (iss.message && !iss.message.startsWith('Invalid input')) return iss.message;
      const expected = EXPECTED_NAMES[iss.expected] ?? iss.expected;
      return iss.input === undefined
        ? `required: expected ${expected}`
        : `expected ${expected}, got ${describeValue(iss.input)}`;
    }
    case 'invalid_value':
      return `expected ${iss.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describeValue(iss.input)}`;
    // The schema's own readers report everything else as custom issues; these keep zod's words.
    case 'unrecognized_keys':
    case 'invalid_element':
    case 'invalid_format':
    case 'invalid_key':
    case 'not_multiple_of':
    case 'too_big':
    case 'too_small':
      return iss.message;
  }
}

/** A copy of a JSON value without the given keys (unknown keys are dropped after a warning). */
function withoutKeys(
  value: unknown,
  drop: ReadonlyMap<string, readonly string[]>,
  path: readonly PropertyKey[],
): unknown {
  if (Array.isArray(value)) return value.map((v: unknown, i) => withoutKeys(v, drop, [...path, i]));
  if (typeof value === 'object' && value !== null) {
    const gone = drop.get(jsonPath(path)) ?? [];
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!gone.includes(k)) out[k] = withoutKeys(v, drop, [...path, k]);
    }
    return out;
  }
  return value;
}

/** Parses JSON text first; a syntax error is reported at `$` with its line and column. */
export function parseScenarioText(text: string): ParseScenarioResult {
  // A leading byte-order mark (some editors write one) is not JSON; skip it rather than report an
  // invisible character.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    let where = '';
    if (pos) {
      const before = body.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      const column = Number(pos[1]) - before.lastIndexOf('\n');
      where = ` (line ${line}, column ${column})`;
    }
    return { ok: false, errors: [{ path: '$', message: `not valid JSON${where}: ${msg}` }] };
  }
  return parseScenario(raw);
}

export function parseScenario(raw: unknown): ParseScenarioResult {
  try {
    return parse(raw);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      errors: [{ path: '$', message: `internal error while reading the scenario: ${msg}` }],
    };
  }
}

function parse(raw: unknown): ParseScenarioResult {
  let result = scenarioFileSchema.safeParse(raw, { reportInput: true });
  const warnings: string[] = [];
  if (!result.success) {
    const errors: ScenarioIssue[] = [];
    const drop = new Map<string, string[]>();
    for (const iss of result.error.issues) {
      if (iss.code === 'unrecognized_keys') {
        const at = jsonPath(iss.path);
        drop.set(at, [...(drop.get(at) ?? []), ...iss.keys]);
        for (const key of iss.keys) {
          warnings.push(
            `${jsonPath([...iss.path, key])}: unknown key ignored (not part of format version 1${iss.path.length === 0 ? '; maybe written by a newer PASIDscope' : ''})`,
          );
        }
      } else {
        errors.push({ path: jsonPath(iss.path), message: formatZodIssue(iss) });
      }
    }
    if (errors.length) return { ok: false, errors };
    result = scenarioFileSchema.safeParse(withoutKeys(raw, drop, []), { reportInput: true });
    if (!result.success) {
      return {
        ok: false,
        errors: result.error.issues.map((iss) => ({
          path: jsonPath(iss.path),
          message: formatZodIssue(iss),
        })),
      };
    }
  }
  return build(result.data, warnings);
}

function build(file: ScenarioFile, warnings: string[]): ParseScenarioResult {
  const errors: ScenarioIssue[] = [];
  const fail = (path: string, message: string): void => {
    errors.push({ path, message });
  };

  // ---- iommu: defaults, then the configurations QEMU refuses to start with ----------------
  const f = file.iommu;
  const iommu: IommuConfig = {
    scalableMode: f.scalableMode ?? IOMMU_DEFAULTS.scalableMode,
    fsts: f.fsts ?? IOMMU_DEFAULTS.fsts,
    pasidBits: f.pasidBits ?? IOMMU_DEFAULTS.pasidBits,
    awBits: f.awBits ?? IOMMU_DEFAULTS.awBits,
    queueWidth: f.queueWidth ?? IOMMU_DEFAULTS.queueWidth,
    rootTableAddr: f.rootTableAddr,
    rootScalable: f.rootScalable ?? IOMMU_DEFAULTS.rootScalable,
    dmarEnabled: f.dmarEnabled ?? IOMMU_DEFAULTS.dmarEnabled,
    guestRamBytes: f.guestRamBytes ?? IOMMU_DEFAULTS.guestRamBytes,
    // Only written when on, so files and scenarios without it stay as they were.
    ...(f.svm ? { svm: true } : {}),
  };
  const given = (v: unknown): string => (v === undefined ? ' (the default when omitted)' : '');
  if (iommu.fsts && !iommu.scalableMode) {
    fail(
      '$.iommu.fsts',
      `fsts is on${given(f.fsts)} but scalableMode is off: QEMU refuses fsts without scalable-mode; set "fsts": false or "scalableMode": true`,
    );
  }
  if (iommu.fsts && iommu.awBits !== 48) {
    fail(
      '$.iommu.awBits',
      `aw-bits is ${iommu.awBits} with fsts on${given(f.fsts)}: QEMU accepts fsts only with aw-bits 48; set "awBits": 48 or "fsts": false`,
    );
  }
  if (iommu.pasidBits > 0 && !iommu.scalableMode) {
    fail(
      '$.iommu.pasidBits',
      `pasid-bits is ${iommu.pasidBits}${given(f.pasidBits)} but scalableMode is off: QEMU refuses pasid-bits without scalable-mode; set "pasidBits": 0`,
    );
  }

  if (iommu.svm && !iommu.fsts) {
    fail(
      '$.iommu.svm',
      `svm is on but fsts is off${given(f.fsts)}: QEMU refuses svm without first-stage translation (vtd_decide_config); set "fsts": true or "svm": false`,
    );
  }
  if (iommu.svm && iommu.pasidBits === 0) {
    fail(
      '$.iommu.svm',
      'svm is on but pasidBits is 0: QEMU refuses svm without PASID support (vtd_decide_config); set "pasidBits" above 0 or "svm": false',
    );
  }

  // ---- devices ----------------------------------------------------------------------------
  const devices: DeviceConfig[] = [];
  const byBdf = new Map<string, number>();
  (file.devices ?? []).forEach((d, i) => {
    const at = `$.devices[${i}]`;
    const twin = byBdf.get(d.bdf.bdf);
    if (twin !== undefined)
      fail(`${at}.bdf`, `duplicate BDF ${d.bdf.bdf} (also $.devices[${twin}].bdf)`);
    byBdf.set(d.bdf.bdf, i);
    if (d.backend === 'vfio-legacy' && iommu.fsts) {
      fail(
        `${at}.backend`,
        `a vfio-legacy device with fsts on${given(f.fsts)}: QEMU needs the iommufd backend when fsts=on; use "iommufd" or set "fsts": false`,
      );
    }
    let spaces: number[] = [];
    if (d.pasidAddressSpaces && d.pasidAddressSpaces.length) {
      if (d.backend !== 'emulated') {
        warnings.push(
          `${at}.pasidAddressSpaces: ignored: only emulated devices have extra PASID address spaces (this one is ${d.backend})`,
        );
      } else {
        // PASID 0 always has an address space; duplicates mean nothing more.
        spaces = [...new Set(d.pasidAddressSpaces.filter((p) => p !== 0))];
      }
    }
    devices.push({
      bdf: d.bdf.bdf,
      bus: d.bdf.bus,
      devfn: d.bdf.devfn,
      backend: d.backend,
      maxPasidLog2: d.maxPasidLog2 ?? 0,
      pasidAddressSpaces: spaces,
      ...(d.name !== undefined ? { name: d.name } : {}),
    });
  });

  const memory: MemoryBlock[] = (file.memory ?? []).map((b) => ({
    addr: b.addr,
    qwords: b.qwords,
  }));

  // ---- steps ------------------------------------------------------------------------------
  const pending: PendingStep[] = [];
  const stepPaths: string[] = [];
  (file.steps ?? []).forEach((s, i) => {
    const at = `$.steps[${i}]`;
    const p = convertStep(s, at, fail);
    if (p) {
      pending.push(p);
      stepPaths.push(at);
    }
  });

  if (errors.length) return { ok: false, errors };

  const resolved = resolveAuthoring({
    iommu,
    devices,
    memory,
    ...(file.tables ? { tables: file.tables } : {}),
    steps: pending,
    stepPaths,
  });
  if (!resolved.ok) return { ok: false, errors: [...resolved.errors] };
  warnings.push(...resolved.warnings);

  const hostFaults = readHostFaults(file, devices, resolved.steps.length);
  if (!hostFaults.ok) return { ok: false, errors: hostFaults.errors };
  const quiz = file.quiz;
  if (quiz) {
    const seen = new Map<number, number>();
    quiz.questions.forEach((q, k) => {
      const at = `$.quiz.questions[${k}].step`;
      const step = resolved.steps[q.step];
      if (!step) {
        errors.push({
          path: at,
          message: `step ${q.step} does not exist: the scenario has ${resolved.steps.length} steps (numbered from 0, as the run numbers them)`,
        });
      } else if (step.op !== 'invalidate') {
        errors.push({
          path: at,
          message: `step ${q.step} is a ${step.op === 'write' ? 'write' : 'clearIqe'}: only an invalidation can be asked (its outcome is what the learner predicts)`,
        });
      }
      const twin = seen.get(q.step);
      if (twin !== undefined)
        errors.push({
          path: at,
          message: `step ${q.step} is asked twice (also $.quiz.questions[${twin}])`,
        });
      seen.set(q.step, k);
    });
    if (errors.length) return { ok: false, errors };
  }

  const scenario: Scenario = {
    ...(file.title !== undefined ? { title: file.title } : {}),
    ...(file.description !== undefined ? { description: file.description } : {}),
    variant: file.variant ?? 'seed',
    iommu,
    devices,
    memory: resolved.memory,
    steps: resolved.steps,
    ...(hostFaults.faults.length ? { hostFaults: hostFaults.faults } : {}),
    ...(quiz
      ? {
          quiz: {
            ...(quiz.title !== undefined ? { title: quiz.title } : {}),
            questions: quiz.questions.map((q) => ({
              step: q.step,
              ...(q.question !== undefined ? { question: q.question } : {}),
            })),
          },
        }
      : {}),
  };
  return { ok: true, scenario, warnings };
}

/**
 * host-side.md: `step` must index a step, `bdf` must name an iommufd device. Steps are numbered as
 * the run numbers them (after the authoring form is resolved), like the quiz's.
 */
function readHostFaults(
  file: ScenarioFile,
  devices: readonly DeviceConfig[],
  stepCount: number,
): { ok: true; faults: HostFault[] } | { ok: false; errors: ScenarioIssue[] } {
  const errors: ScenarioIssue[] = [];
  const faults: HostFault[] = [];
  (file.hostFaults ?? []).forEach((h, i) => {
    const at = `$.hostFaults[${i}]`;
    if (h.step >= stepCount) {
      errors.push({
        path: `${at}.step`,
        message: `step ${h.step} does not exist: the scenario has ${stepCount} step${stepCount === 1 ? '' : 's'} (numbered from 0, as the run numbers them)`,
      });
    }
    const device = devices.find((d) => d.bdf === h.bdf.bdf);
    if (device?.backend !== 'iommufd') {
      errors.push({
        path: `${at}.bdf`,
        message: device
          ? `${h.bdf.bdf} is on the ${device.backend} backend: only iommufd devices make host calls`
          : `no device ${h.bdf.bdf} in $.devices: a host fault names an iommufd device`,
      });
    }
    if (errors.length) return;
    faults.push({ step: h.step, bdf: h.bdf.bdf, pasid: h.pasid, op: h.op });
  });
  return errors.length ? { ok: false, errors } : { ok: true, faults };
}

const PC_GRANULARITY = { domain: 0n, pasid: 1n, global: 3n } as const;
const CC_GRANULARITY = { global: 1n, domain: 2n, device: 3n } as const;

/** A 128-bit descriptor's fields as the four words a 256-bit queue reads (val[2..3] zero). */
function fourWords(
  layout: StructureLayout,
  values: Readonly<Record<string, bigint | boolean>>,
): bigint[] {
  const words = encodeFields(layout, values);
  while (words.length < 4) words.push(0n);
  return words;
}

function withNote<T extends object>(step: T, note: string | undefined): T & { note?: string } {
  return note !== undefined ? { ...step, note } : step;
}

type FileInvalidateStep = Extract<FileStep, { op: 'invalidate' }>;

/**
 * A PASID-based IOTLB invalidation by field (host-side.md):
 * [6 | G << 4 | did << 16 | pasid << 32, addr | ih << 6 | am, 0, 0], G = 2 (pasid) or 3 (page).
 */
function convertPiotlbStep(
  s: FileInvalidateStep,
  at: string,
  fail: (path: string, message: string) => void,
): PendingStep | undefined {
  for (const k of ['cache', 'bdf', 'fm'] as const) {
    if (s[k] !== undefined) {
      fail(`${at}.${k}`, `a PASID-IOTLB invalidation takes no "${k}"`);
      return undefined;
    }
  }
  const g = s.granularity;
  if (g !== 'pasid' && g !== 'page') {
    fail(
      `${at}.granularity`,
      `${g === undefined ? 'required: ' : ''}a PASID-IOTLB invalidation has granularity "pasid" (all of the PASID) or "page"${g === undefined ? '' : `, got "${g}"`}`,
    );
    return undefined;
  }
  const addr = s.addr ?? 0n;
  if (addr & 0xfffn) {
    fail(
      `${at}.addr`,
      `the address must be 4 KiB aligned (bits 11:0 hold IH and AM), got 0x${addr.toString(16)}`,
    );
    return undefined;
  }
  const desc = encodePiotlbDescriptor({
    granularity: g,
    did: s.did ?? 0,
    pasid: s.pasid ?? 0,
    addr,
    am: s.am ?? 0,
    ih: s.ih ?? false,
  });
  return { kind: 'raw', step: withNote({ op: 'invalidate', desc }, s.note) };
}

/** A file step as a raw step, or as a by-field write the authoring resolver still has to place. */
function convertStep(
  s: FileStep,
  at: string,
  fail: (path: string, message: string) => void,
): PendingStep | undefined {
  const raw = (step: ScenarioStep): PendingStep => ({ kind: 'raw', step });
  const authored = (step: AuthoredStep): PendingStep => ({ kind: 'authored', step });
  const linux = (step: LinuxStep): PendingStep => ({ kind: 'linux', step });
  switch (s.op) {
    case 'write':
      return raw(withNote({ op: 'write', addr: s.addr, qwords: s.qwords }, s.note));
    case 'clearIqe':
      return raw(withNote({ op: 'clearIqe' }, s.note));
    case 'invalidate': {
      const byField = (
        ['type', 'cache', 'granularity', 'did', 'pasid', 'bdf', 'fm', 'addr', 'am', 'ih'] as const
      ).filter((k) => s[k] !== undefined);
      if (s.desc) {
        if (byField.length) {
          fail(
            `${at}.${byField[0]}`,
            `a raw descriptor ("desc") takes no "${byField[0]}": give either "desc" or the descriptor's fields`,
          );
          return undefined;
        }
        if (s.desc.length !== 2 && s.desc.length !== 4) {
          fail(
            `${at}.desc`,
            `expected 2 or 4 descriptor words (val[0] first), got ${s.desc.length}`,
          );
          return undefined;
        }
        return raw(withNote({ op: 'invalidate', desc: s.desc }, s.note));
      }
      if (s.granularity === undefined) {
        fail(
          `${at}.granularity`,
          'required: an invalidation needs either "desc" (raw words) or "granularity" ("domain", "pasid" or "global")',
        );
        return undefined;
      }
      if (s.type === 'piotlb') return convertPiotlbStep(s, at, fail);
      for (const k of ['addr', 'am', 'ih'] as const) {
        if (s[k] !== undefined) {
          fail(`${at}.${k}`, `only a PASID-IOTLB invalidation ("type": "piotlb") takes "${k}"`);
          return undefined;
        }
      }
      if (s.type === 'pasid-cache' && s.cache === 'context') {
        fail(
          `${at}.cache`,
          'a "pasid-cache" descriptor invalidates the PASID cache, not "context"',
        );
        return undefined;
      }
      if (s.granularity === 'page') {
        fail(
          `${at}.granularity`,
          'only a PASID-IOTLB invalidation ("type": "piotlb") has page granularity',
        );
        return undefined;
      }
      if ((s.cache ?? 'pasid') === 'pasid') {
        const g = s.granularity;
        if (g === 'device') {
          fail(
            `${at}.granularity`,
            'a PASID-cache invalidation has no device granularity: expected "domain", "pasid" or "global"',
          );
          return undefined;
        }
        for (const k of ['bdf', 'fm'] as const) {
          if (s[k] !== undefined) {
            fail(
              `${at}.${k}`,
              `a PASID-cache invalidation takes no "${k}" (that is a context-cache field)`,
            );
            return undefined;
          }
        }
        // [7 | G << 4 | did << 16 | pasid << 32, 0, 0, 0], through the descriptor's field table.
        const desc = encodeFields(PASID_CACHE_DESC, {
          type: 7n,
          granularity: PC_GRANULARITY[g],
          did: BigInt(s.did ?? 0),
          pasid: BigInt(s.pasid ?? 0),
        });
        return raw(withNote({ op: 'invalidate', desc }, s.note));
      }
      const g = s.granularity;
      if (g === 'pasid') {
        fail(
          `${at}.granularity`,
          'a context-cache invalidation has no PASID granularity: expected "global", "domain" or "device"',
        );
        return undefined;
      }
      if (s.pasid !== undefined) {
        fail(`${at}.pasid`, 'a context-cache invalidation takes no "pasid"');
        return undefined;
      }
      if (g === 'device' && s.bdf === undefined) {
        fail(
          `${at}.bdf`,
          'required: a device-selective context-cache invalidation names the device ("bdf")',
        );
        return undefined;
      }
      const desc = fourWords(CONTEXT_CACHE_DESC, {
        type: 1n,
        granularity: CC_GRANULARITY[g],
        did: BigInt(s.did ?? 0),
        sid: s.bdf ? BigInt((s.bdf.bus << 8) | s.bdf.devfn) : 0n,
        fm: BigInt(s.fm ?? 0),
      });
      return raw(withNote({ op: 'invalidate', desc }, s.note));
    }
    case 'wait': {
      if (s.statusAddr !== undefined && s.statusAddr % 4n !== 0n) {
        fail(
          `${at}.statusAddr`,
          'the status address must be 4-byte aligned (bits 1:0 are reserved)',
        );
        return undefined;
      }
      const desc = fourWords(WAIT_DESC, {
        type: 5n,
        if: s.if ?? false,
        sw: s.sw ?? false,
        fn: s.fn ?? false,
        statusData: BigInt(s.statusData ?? 0),
        statusAddr: s.statusAddr ?? 0n,
      });
      return raw(withNote({ op: 'invalidate', desc }, s.note));
    }
    case 'linux': {
      const action = linuxActionOf(s, at, fail);
      if (!action) return undefined;
      return linux(
        withNote(
          {
            op: 'linux',
            action,
            flavour: s.flavour ?? 'linux-6.1',
            cachingMode: s.cachingMode ?? true,
            ...(s.statusAddr !== undefined ? { statusAddr: s.statusAddr } : {}),
          },
          s.note,
        ),
      );
    }
    case 'writeRootEntry':
      return authored(
        withNote({ op: s.op, bus: s.bus, fields: s.fields, clear: s.clear ?? false }, s.note),
      );
    case 'writeContextEntry':
      return authored(
        withNote(
          {
            op: s.op,
            bus: s.bdf.bus,
            devfn: s.bdf.devfn,
            key: 0,
            fields: s.fields,
            clear: s.clear ?? false,
          },
          s.note,
        ),
      );
    case 'writePasidDirEntry':
      return authored(
        withNote(
          {
            op: s.op,
            bus: s.bdf.bus,
            devfn: s.bdf.devfn,
            key: s.index,
            fields: s.fields,
            clear: s.clear ?? false,
          },
          s.note,
        ),
      );
    case 'writePasidEntry':
      return authored(
        withNote(
          {
            op: s.op,
            bus: s.bdf.bus,
            devfn: s.bdf.devfn,
            key: s.pasid,
            fields: s.fields,
            clear: s.clear ?? false,
          },
          s.note,
        ),
      );
  }
}

/** The Linux action a `linux` step names, with the fields that action needs (or a failure). */
function linuxActionOf(
  s: Extract<FileStep, { op: 'linux' }>,
  at: string,
  fail: (path: string, message: string) => void,
): LinuxAction | undefined {
  const uses: Readonly<Record<LinuxAction['kind'], readonly string[]>> = {
    setRootTable: [],
    setupPasid: ['bdf', 'pasid', 'did', 'setup', 'pageTable'],
    mapContext: ['bdf', 'did'],
    tearDown: ['bdf', 'pasid'],
    release: ['bdf'],
  };
  const allowed = uses[s.action];
  const extra = (['bdf', 'pasid', 'did', 'setup', 'pageTable'] as const).find(
    (k) => s[k] !== undefined && !allowed.includes(k),
  );
  if (extra) {
    fail(`${at}.${extra}`, `the Linux action "${s.action}" takes no "${extra}"`);
    return undefined;
  }
  if (s.action === 'setRootTable') return { kind: 'setRootTable' };
  if (s.bdf === undefined) {
    fail(`${at}.bdf`, `required: the Linux action "${s.action}" names a device ("bdf")`);
    return undefined;
  }
  const bdf = s.bdf.bdf;
  switch (s.action) {
    case 'tearDown':
      return { kind: 'tearDown', bdf, pasid: s.pasid ?? 0 };
    case 'release':
      return { kind: 'release', bdf };
    case 'mapContext':
      return { kind: 'mapContext', bdf, did: s.did ?? 0 };
    case 'setupPasid': {
      const setup = s.setup ?? 'second-stage';
      if (setup !== 'pass-through') {
        if (s.did === undefined) {
          fail(`${at}.did`, `required: a ${setup} PASID entry needs its domain ID ("did")`);
          return undefined;
        }
        if (s.pageTable === undefined) {
          fail(
            `${at}.pageTable`,
            `required: a ${setup} PASID entry needs its page-table address ("pageTable")`,
          );
          return undefined;
        }
      }
      return {
        kind: 'setupPasid',
        bdf,
        pasid: s.pasid ?? 0,
        did: s.did ?? 1,
        setup,
        pageTable: s.pageTable ?? 0n,
      };
    }
  }
}
