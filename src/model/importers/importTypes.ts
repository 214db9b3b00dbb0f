// Shared shapes of the importers' results. Importers never throw for bad input: every problem
// comes back with the 1-based line of the input it is about (when it is about one line).

export interface ImportIssue {
  /** 1-based line number in the imported text; absent for problems of the whole input. */
  readonly line?: number;
  readonly message: string;
}

/** "line 12: message" (or just the message). */
export function formatImportIssue(issue: ImportIssue): string {
  return issue.line !== undefined ? `line ${issue.line}: ${issue.message}` : issue.message;
}

/** The lines of a text file, without line terminators (CRLF files too). */
export function textLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** "lines 3, 7 and 9" / "line 3" / "lines 3, 7, 9 and 12 more". */
export function describeLines(lines: readonly number[], max = 5): string {
  if (lines.length === 1) return `line ${lines[0] ?? 0}`;
  const shown = lines.slice(0, max);
  const rest = lines.length - shown.length;
  if (rest > 0) return `lines ${shown.join(', ')} and ${rest} more`;
  return `lines ${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1] ?? 0}`;
}
