// What a dropped, picked or pasted text is, told by its content (file names lie: a dump saved as
// .json, a log named "out"): a scenario file (JSON), a Linux dmar_translation_struct dump, or a
// QEMU trace log, or the guest kernel's qi_submit trace. Only the first lines are looked at, so a 50 MB log is classified at once.

import { inlineScenarioFragment, isKernelQiTrace, readTraceLine } from '../model/core.ts';

export type ImportKind = 'scenario' | 'debugfs' | 'qemu-trace' | 'kernel-trace';

export const IMPORT_KIND_LABELS: Readonly<Record<ImportKind, string>> = {
  scenario: 'scenario file (JSON)',
  debugfs: 'debugfs dump (dmar_translation_struct)',
  'qemu-trace': 'QEMU trace log (vtd_inv_desc)',
  'kernel-trace': 'Linux trace (intel_iommu:qi_submit)',
};

/** How many lines are looked at. */
const SCAN_LINES = 400;

const DEBUGFS_LINE =
  /^(?:IOMMU \S+: Root Table Address: 0x[0-9a-fA-F]+|DMA Remapping is not enabled on \S+|B\.D\.F\s+Root_entry\b)/;

/** The kind of an import text, or undefined when it is none of the three. */
export function detectImportKind(text: string): ImportKind | undefined {
  const head = text.trimStart();
  if (head.startsWith('{')) return 'scenario';
  // A report's inline scenario block, or a share link: the scenario it carries.
  if (inlineScenarioFragment(text.slice(0, 200_000)) !== undefined) return 'scenario';
  if (isKernelQiTrace(text)) return 'kernel-trace';
  let traceEvents = 0;
  let vtdEvents = 0;
  let seen = 0;
  let start = 0;
  while (start < text.length && seen < SCAN_LINES) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
    start = end < 0 ? text.length : end + 1;
    if (line.trim() === '') continue;
    seen++;
    if (DEBUGFS_LINE.test(line)) return 'debugfs';
    const event = readTraceLine(line);
    if (event) {
      traceEvents++;
      if (event.name.startsWith('vtd_')) vtdEvents++;
    }
  }
  // A log of other events only is still a trace log (the import then says which event it needs);
  // a lone identifier-like line is not.
  if (vtdEvents > 0 || traceEvents >= 2) return 'qemu-trace';
  return undefined;
}
