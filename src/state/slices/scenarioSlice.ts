// The scenario the user edits: raw words are the truth (memory blocks and write steps hold them);
// every view decodes from here. Only `scenario` is under undo/redo.

import type {
  AppendLinuxOptions,
  DeviceBackend,
  HostFault,
  LinuxAction,
  Scenario,
  Variant,
} from '../../model/index.ts';
import { appendLinuxAction } from '../../model/core.ts';
import { markEdited, type ScenarioSource } from '../persistence.ts';
import {
  EMPTY_SCENARIO,
  addDevice,
  addHostFault,
  appendStep,
  hostFaultsOnStep,
  moveStep,
  removeDevice,
  removeHostFault,
  removeStep,
  updateHostFault,
  setVariant,
  updateDevice,
  updateIommu,
  writeWords,
  type DevicePatch,
  type MutableIommu,
} from '../scenarioEdits.ts';
import type { EngineError, ParsedScenario } from '../../worker/protocol.ts';
import { SHARE_DECODE_ON_PAGE_MAX, decodeShareFragment, sharePayload } from '../persistence.ts';
import { SHARE_LINK_PACKED } from '../../shared/packing.ts';
import { adoptInitialMemory, currentMemory } from '../memoryImage.ts';
import { refusalDetail } from '../importReport.ts';
import { warmScenarioViews } from '../warmViews.ts';
import { workInSlices, yieldToMain } from '../yieldToMain.ts';
import { presetPath } from '../presets.ts';
import type { SliceCreator, StoreServices } from './types.ts';

export interface ScenarioSlice {
  readonly scenario: Scenario;
  readonly scenarioSource: ScenarioSource;
  /** Replaces the whole scenario (preset, import, share link). Undoable unless `initial`. */
  readonly replaceScenario: (scenario: Scenario, source: ScenarioSource) => void;
  readonly setIommu: (patch: Partial<MutableIommu>) => void;
  readonly setVariant: (variant: Variant) => void;
  readonly addDevice: (backend?: DeviceBackend) => void;
  readonly updateDevice: (index: number, patch: DevicePatch) => void;
  readonly removeDevice: (index: number) => void;
  /** The guest writes an entry's words (appended or merged as a `write` step). */
  readonly writeEntry: (addr: bigint, words: readonly bigint[], note: string) => void;
  /** The guest queues one descriptor (2 or 4 raw words). */
  readonly submitInvalidation: (desc: readonly bigint[], note?: string) => void;
  /** The guest clears FSTS.IQE. */
  readonly clearIqe: () => void;
  /** Removes a step; the host faults and quiz questions on it go too (a notice says so). */
  readonly removeStep: (index: number) => void;
  /** Moves a step; what names steps by index (host faults, quiz) follows it. */
  readonly moveStep: (from: number, to: number) => void;
  readonly addHostFault: () => void;
  /** Applies the patch only if the fault stays valid (else nothing changes). */
  readonly updateHostFault: (index: number, patch: Partial<HostFault>) => void;
  readonly removeHostFault: (index: number) => void;
  /**
   * Appends what Linux's intel-iommu driver writes and queues for `action` (one undoable edit).
   * Returns how many steps it added, or why the driver would refuse (the scenario left as it is).
   */
  readonly addLinuxAction: (
    action: LinuxAction,
    options: AppendLinuxOptions,
  ) => { readonly added: number } | { readonly refused: string };
  /** Loads a bundled preset by name. Resolves true when it replaced the scenario. */
  readonly loadPreset: (name: string) => Promise<boolean>;
  /** Loads scenario file text (import). On any error the current scenario stays as it is. */
  readonly importScenarioText: (text: string, fileName: string) => Promise<boolean>;
  /** Opens a share link's fragment. On any error the current scenario stays as it is. */
  readonly openShareFragment: (hash: string) => Promise<boolean>;
}

export const createScenarioSlice =
  (services: StoreServices): SliceCreator<ScenarioSlice> =>
  (set, get) => {
    const adopt = async (parsed: ParsedScenario, source: ScenarioSource): Promise<void> => {
      // A large scenario took a while to arrive (its words are decoded as the answer is read):
      // let the browser breathe before it is laid out, then run (see store.ts).
      if (parsed.initialMemory) await yieldToMain();
      adoptInitialMemory(parsed.scenario, parsed.initialMemory);
      if (parsed.initialMemory) {
        await workInSlices(warmScenarioViews(parsed.scenario, currentMemory(parsed.scenario)));
        await yieldToMain(); // the render that shows it in a task of its own
      }
      set({ scenario: parsed.scenario, scenarioSource: source, selection: undefined, fold: {} });
      get().clearNotices('load');
      if (parsed.warnings.length > 0) {
        get().pushNotice({
          tone: 'warning',
          topic: 'load-warnings',
          title: 'Loaded with warnings',
          detail: parsed.warnings.join(' '),
        });
      }
    };
    const refuse = (title: string, error: EngineError): false => {
      get().pushNotice({
        tone: 'error',
        topic: 'load',
        title,
        detail: refusalDetail(error),
        ...(error.issues ? { issues: error.issues } : {}),
      });
      return false;
    };
    const edit = (next: Scenario): void => {
      const { scenario, scenarioSource } = get();
      if (next === scenario) return;
      set({ scenario: next, scenarioSource: markEdited(scenarioSource) });
    };
    return {
      scenario: EMPTY_SCENARIO,
      scenarioSource: { kind: 'new', edited: false },
      replaceScenario: (scenario, source) => set({ scenario, scenarioSource: source }),
      setIommu: (patch) => edit(updateIommu(get().scenario, patch)),
      setVariant: (variant) => edit(setVariant(get().scenario, variant)),
      addDevice: (backend) => edit(addDevice(get().scenario, backend)),
      updateDevice: (index, patch) => edit(updateDevice(get().scenario, index, patch)),
      removeDevice: (index) => edit(removeDevice(get().scenario, index)),
      writeEntry: (addr, words, note) => edit(writeWords(get().scenario, addr, words, note)),
      submitInvalidation: (desc, note) =>
        edit(
          appendStep(get().scenario, {
            op: 'invalidate',
            desc: [...desc],
            ...(note ? { note } : {}),
          }),
        ),
      clearIqe: () => edit(appendStep(get().scenario, { op: 'clearIqe' })),
      removeStep: (index) => {
        const before = get().scenario;
        const faults = hostFaultsOnStep(before, index);
        edit(removeStep(before, index));
        if (faults > 0 && get().scenario !== before) {
          get().pushNotice({
            tone: 'info',
            topic: 'host-faults',
            title: `Step ${String(index + 1)} removed with its host fault${faults === 1 ? '' : 's'}`,
            detail: `${String(faults)} host fault${faults === 1 ? '' : 's'} named this step and ${faults === 1 ? 'was' : 'were'} removed; the faults on later steps moved up with them. Undo brings ${faults === 1 ? 'it' : 'them'} back.`,
          });
        }
      },
      moveStep: (from, to) => edit(moveStep(get().scenario, from, to)),
      addHostFault: () => edit(addHostFault(get().scenario)),
      updateHostFault: (index, patch) => edit(updateHostFault(get().scenario, index, patch)),
      removeHostFault: (index) => edit(removeHostFault(get().scenario, index)),
      addLinuxAction: (action, options) => {
        const r = appendLinuxAction(get().scenario, action, options);
        if (!r.ok) return { refused: r.message };
        edit(r.scenario);
        return { added: r.added };
      },
      loadPreset: (name) =>
        get().trackLoad(
          (async () => {
            let text: string;
            try {
              text = await services.fetchText(presetPath(name));
            } catch (e) {
              return refuse(`Could not load the preset "${name}"`, {
                kind: 'invalid-scenario',
                message: e instanceof Error ? e.message : String(e),
              });
            }
            const parsed = await services.engine.parseScenarioText(text);
            if (!parsed.ok)
              return refuse(`The preset "${name}" is not a valid scenario`, parsed.error);
            await adopt(parsed.value, { kind: 'preset', name, edited: false });
            return true;
          })(),
        ),
      importScenarioText: (text, fileName) =>
        get().trackLoad(
          (async () => {
            const parsed = await services.engine.parseScenarioText(text);
            if (!parsed.ok) return refuse(`Could not import "${fileName}"`, parsed.error);
            await adopt(parsed.value, { kind: 'file', name: fileName, edited: false });
            return true;
          })(),
        ),
      openShareFragment: (hash) =>
        get().trackLoad(
          (async () => {
            const envelope = sharePayload(hash);
            if (envelope.kind === 'none') return false;
            // A long link (a large scenario) is decompressed by the engine, off the page's thread.
            if (envelope.kind === 'payload' && envelope.payload.length > SHARE_DECODE_ON_PAGE_MAX) {
              const parsed = await services.engine.parsePackedScenario(
                SHARE_LINK_PACKED + envelope.payload,
              );
              if (!parsed.ok) {
                return refuse(
                  'Could not open the share link',
                  parsed.error.kind === 'not-json'
                    ? {
                        kind: 'invalid-scenario',
                        message:
                          'The share link is damaged or cut short: its scenario could not be read.',
                      }
                    : parsed.error,
                );
              }
              await adopt(parsed.value, { kind: 'link', edited: false });
              return true;
            }
            const decoded = decodeShareFragment(hash);
            if (decoded.kind === 'none') return false;
            if (decoded.kind === 'error') {
              return refuse('Could not open the share link', {
                kind: 'invalid-scenario',
                message: decoded.message,
              });
            }
            const parsed = await services.engine.parseScenarioText(decoded.text);
            if (!parsed.ok) return refuse('Could not open the share link', parsed.error);
            await adopt(parsed.value, { kind: 'link', edited: false });
            return true;
          })(),
        ),
    };
  };
