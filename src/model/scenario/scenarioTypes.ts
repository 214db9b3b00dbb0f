// The normalised, in-memory form of a scenario: what the model runs. Parsing a file (JSON with hex
// strings, defaults, the authoring form) produces this; exporting turns it back into a file.
// All 64-bit quantities are bigint so no bit is ever lost to a double.

export type Variant = 'seed' | 'series' | 'series-fixed';
export const VARIANTS: readonly Variant[] = ['seed', 'series', 'series-fixed'];

export type DeviceBackend = 'iommufd' | 'vfio-legacy' | 'emulated';

export interface IommuConfig {
  /** QEMU property scalable-mode (ECAP.SMTS). */
  readonly scalableMode: boolean;
  /** QEMU property fsts: first-stage translation; enables the accel (iommufd) path. */
  readonly fsts: boolean;
  /** QEMU property pasid-bits, 0..20. */
  readonly pasidBits: number;
  /** 39 or 48. */
  readonly awBits: 39 | 48;
  /** IQA.DW: 256-bit descriptors only count when scalable mode (or fsts) is on. */
  readonly queueWidth: 128 | 256;
  /** RTADDR as the guest wrote it (masked by the model as QEMU does). */
  readonly rootTableAddr: bigint;
  /** RTADDR.SMT as latched by SRTP; only counts with scalableMode. */
  readonly rootScalable: boolean;
  /** GCMD.TE. */
  readonly dmarEnabled: boolean;
  /** Guest RAM is [0, guestRamBytes); DMA beyond it fails. */
  readonly guestRamBytes: bigint;
  /**
   * QEMU property svm (absent = false): ECAP.PDS (the wait descriptor's PD bit is no longer
   * reserved) and, in the series, fault queues for first-stage hwpts of PRE devices.
   */
  readonly svm?: boolean;
}

/** QEMU's defaults for the iommu fields a scenario file leaves out (scenario-format.md): the one home
 * of these values (rootTableAddr has none). Also what generated and empty scenarios start from. */
export const IOMMU_DEFAULTS = {
  scalableMode: true,
  fsts: true,
  pasidBits: 20,
  awBits: 48,
  queueWidth: 256,
  rootScalable: true,
  dmarEnabled: true,
  guestRamBytes: 0x4000_0000n,
} as const satisfies Omit<IommuConfig, 'rootTableAddr'>;

export interface DeviceConfig {
  /** "BB:DD.F" in lower-case hex, as lspci prints it. */
  readonly bdf: string;
  readonly bus: number;
  /** device << 3 | function */
  readonly devfn: number;
  readonly backend: DeviceBackend;
  /** Host IOMMU cap for passthrough devices; 0 = no PASID (only PASID 0). */
  readonly maxPasidLog2: number;
  /** Emulated devices only: PASIDs besides 0 that have an address space (0 and duplicates dropped). */
  readonly pasidAddressSpaces: readonly number[];
  readonly name?: string;
}

export interface MemoryBlock {
  readonly addr: bigint;
  readonly qwords: readonly bigint[];
}

export type ScenarioStep =
  | {
      readonly op: 'write';
      readonly addr: bigint;
      readonly qwords: readonly bigint[];
      readonly note?: string;
    }
  | {
      readonly op: 'invalidate';
      /** Raw descriptor words, val[0] first: 2 or 4 words. Structured forms are encoded on parse. */
      readonly desc: readonly bigint[];
      readonly note?: string;
    }
  | { readonly op: 'clearIqe'; readonly note?: string };

/** The host calls a scenario can make fail (`free` cannot fail: it is void in QEMU). */
export type HostFaultOp = 'faultq' | 'alloc' | 'attach' | 'detach' | 'invalidate';
export const HOST_FAULT_OPS: readonly HostFaultOp[] = [
  'faultq',
  'alloc',
  'attach',
  'detach',
  'invalidate',
];

/** Every host call of kind `op` for device `bdf` and `pasid` made during step `step` fails. */
export interface HostFault {
  /** Index into Scenario.steps (the run's step index). */
  readonly step: number;
  readonly bdf: string;
  readonly pasid: number;
  readonly op: HostFaultOp;
}

/** One asked step of a quiz: the learner predicts what this invalidation does before it runs. */
export interface QuizQuestion {
  /** Index of the step in the resolved scenario (as `run --json` numbers steps). */
  readonly step: number;
  /** What the teacher asks; the app has a default question when absent. */
  readonly question?: string;
}

/** A teacher's quiz shipped with a scenario: which steps are asked. */
export interface ScenarioQuiz {
  readonly title?: string;
  readonly questions: readonly QuizQuestion[];
}

export interface Scenario {
  readonly title?: string;
  readonly description?: string;
  readonly variant: Variant;
  readonly iommu: IommuConfig;
  readonly devices: readonly DeviceConfig[];
  readonly memory: readonly MemoryBlock[];
  readonly steps: readonly ScenarioStep[];
  /** Host calls made to fail (absent = none). */
  readonly hostFaults?: readonly HostFault[];
  /** Optional teaching quiz (unknown to older versions, which ignore it with a warning). */
  readonly quiz?: ScenarioQuiz;
}
