// One line of a Linux ftrace text: the raw `trace` file of /sys/kernel/tracing (with its
// "# tracer" header), `trace-cmd report` output, or a bare event line. Kept apart from the
// importer, which needs the scenario parser, so that the page can tell a kernel trace from other
// text without loading the parser.
//
//   <task>-<pid> [(<tgid>)] [<cpu>] [<flags>] <seconds>.<fraction>: <event>: <text>
//
// The `intel_iommu:qi_submit` event prints the descriptor type as the kernel names it (from
// `qw0 & 0xf`, a number when the name is unknown), the IOMMU unit and all four words:
//   qi_submit: pc_inv dmar0: 0x10017 0x0 0x0 0x0

/** The kernel's names for descriptor types 1..9 (include/trace/events/intel_iommu.h). */
export const KERNEL_DESC_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'cc_inv',
  2: 'iotlb_inv',
  3: 'dev_tlb_inv',
  4: 'iec_inv',
  5: 'inv_wait',
  6: 'p_iotlb_inv',
  7: 'pc_inv',
  8: 'p_dev_tlb_inv',
  9: 'page_grp_resp',
};

export const QI_SUBMIT_EVENT = 'qi_submit';

export interface FtraceEventLine {
  /** The event name as printed ("qi_submit", "sched_switch"). */
  readonly event: string;
  /** Its text after "event: ". */
  readonly text: string;
  /** Absent on a bare line. */
  readonly task?: string;
  readonly pid?: number;
  readonly cpu?: number;
  /** Seconds, as printed. */
  readonly timestamp?: string;
}

// The task name may hold spaces and dashes; the pid is the last "-digits" before the CPU column.
const PREFIXED_RE =
  /^\s*(.+)-(\d+)\s+(?:\(\s*[\d-]+\)\s+)?\[(\d{1,4})\]\s+(?:[A-Za-z0-9.]{4,6}\s+)?(\d+\.\d+):\s+(?:[a-z0-9_]+:)?([a-z0-9_]+):\s*(.*)$/;
const BARE_RE = /^\s*(?:intel_iommu:)?(qi_submit):\s*(.*)$/;

/** An ftrace event line, or undefined when the line is none. */
export function readFtraceLine(line: string): FtraceEventLine | undefined {
  const m = PREFIXED_RE.exec(line);
  if (m) {
    return {
      task: (m[1] ?? '').trim(),
      pid: Number(m[2]),
      cpu: Number(m[3]),
      timestamp: m[4] ?? '',
      event: m[5] ?? '',
      text: (m[6] ?? '').trim(),
    };
  }
  const b = BARE_RE.exec(line);
  return b ? { event: b[1] ?? '', text: (b[2] ?? '').trim() } : undefined;
}

/** Lines of a trace file that are no event and no problem: the header and trace-cmd's banner. */
const HEADER_RE = /^\s*(?:#.*|cpus=\d+|version = \d+.*|CPU \d+ is empty|trace-cmd: .*)$/;

export function isFtraceHeaderLine(line: string): boolean {
  return HEADER_RE.test(line);
}

/** "CPU:1 [LOST 12 EVENTS]": the ring buffer overflowed there, so descriptors may be missing. */
const LOST_RE = /^\s*CPU:\s*(\d+)\s+\[LOST (\d+) EVENTS\]\s*$/;

export function readLostEvents(line: string): { cpu: number; lost: number } | undefined {
  const m = LOST_RE.exec(line);
  return m ? { cpu: Number(m[1]), lost: Number(m[2]) } : undefined;
}

/** How many lines are looked at to tell a kernel trace from other text. */
const SCAN_LINES = 2000;

/** Whether the text holds a qi_submit event in its first lines (a kernel trace, not a QEMU log). */
export function isKernelQiTrace(text: string): boolean {
  let start = 0;
  for (let seen = 0; start < text.length && seen < SCAN_LINES; seen++) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    start = end < 0 ? text.length : end + 1;
    if (readFtraceLine(line)?.event === QI_SUBMIT_EVENT) return true;
  }
  return false;
}
