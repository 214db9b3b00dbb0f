// One line of a QEMU trace log (log backend): optional prefix (pid@time or a timestamp), the event
// name, then its text. Kept apart from the importer, which needs the scenario parser, so that the
// page can tell a trace log from other text without loading the parser.

export interface TraceLine {
  readonly name: string;
  readonly args: string;
  /** The prefix as written (timestamp, pid), for step notes. */
  readonly prefix: string;
}

/** Only digits and the separators of "PID@SEC.USEC:", ISO-8601 and bracketed stamps. */
const STAMP_RE = /^[[(]?[\d@.:+\-,TZ]*\d[\d@.:+\-,TZ]*[\])]?:?$/;
const OLD_PREFIX_RE = /^(\d+@\d+\.\d+):([a-z][a-z0-9]*(?:_[a-z0-9]+)+)$/;
/** QEMU event names: lower case, words joined by underscores (vtd_inv_desc, pci_cfg_write). */
const NAME_RE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/;
const MAX_PREFIX_TOKENS = 3;

/** Splits a log line into prefix, event name and text; undefined when it is no trace event. */
export function readTraceLine(line: string): TraceLine | undefined {
  const tokens = line.trim().split(/\s+/);
  const prefix: string[] = [];
  for (let i = 0; i < tokens.length && i <= MAX_PREFIX_TOKENS; i++) {
    const t = tokens[i] ?? '';
    const glued = OLD_PREFIX_RE.exec(t);
    const name = glued ? glued[2] : NAME_RE.test(t) ? t : undefined;
    if (name !== undefined) {
      if (glued) prefix.push(glued[1] ?? '');
      // The text after the name, with its inner spacing kept (type strings may have spaces).
      const at = line.indexOf(t) + t.length;
      return { name, args: line.slice(at).trim(), prefix: prefix.join(' ') };
    }
    if (!STAMP_RE.test(t)) return undefined;
    prefix.push(t);
  }
  return undefined;
}
