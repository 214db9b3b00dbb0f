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
}

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
  /** Optional teaching quiz (unknown to older versions, which ignore it with a warning). */
  readonly quiz?: ScenarioQuiz;
}
