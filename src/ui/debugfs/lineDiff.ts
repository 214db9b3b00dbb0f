// A line diff of two dumps (PASIDscope's and a real machine's). Lines are compared with their
// whitespace runs collapsed, because a terminal turns the dump's tabs into spaces when it is copied.
// Longest common subsequence for dumps of ordinary size; beyond that, membership only (a dump's
// rows are in walk order on both sides, so that is still a faithful picture).

export type LineSide = 'both' | 'here' | 'there';

export interface LineDiff {
  /** Merged, in order: lines of both, lines only in `here`, lines only in `there`. */
  readonly lines: readonly { readonly side: LineSide; readonly text: string }[];
  readonly onlyHere: number;
  readonly onlyThere: number;
}

/** Above this many cells the quadratic table is not built. */
const MAX_TABLE_CELLS = 4_000_000;

function normalise(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && (lines[lines.length - 1] ?? '').trim() === '') lines.pop();
  return lines;
}

/** A pasted line with its column gaps (runs of spaces a terminal made of tabs) as tabs again, so
 * that it lines up under the dump's own columns. */
export function retab(line: string): string {
  return line.replace(/[ \t]{2,}|\t/g, '\t');
}

export function lineDiff(hereText: string, thereText: string): LineDiff {
  const here = splitLines(hereText);
  const there = splitLines(thereText).map(retab);
  const a = here.map(normalise);
  const b = there.map(normalise);
  const out: { side: LineSide; text: string }[] = [];
  let onlyHere = 0;
  let onlyThere = 0;
  const push = (side: LineSide, text: string): void => {
    out.push({ side, text });
    if (side === 'here') onlyHere++;
    if (side === 'there') onlyThere++;
  };

  if ((a.length + 1) * (b.length + 1) > MAX_TABLE_CELLS) {
    const inB = new Set(b);
    const inA = new Set(a);
    here.forEach((line, i) => push(inB.has(a[i] ?? '') ? 'both' : 'here', line));
    there.forEach((line, j) => {
      if (!inA.has(b[j] ?? '')) push('there', line);
    });
    return { lines: out, onlyHere, onlyThere };
  }

  // lcs[i][j] = length of the LCS of a[i..] and b[j..], in one flat array.
  const w = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * w + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * w + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * w + j] ?? 0, lcs[i * w + j + 1] ?? 0);
    }
  }
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      push('both', here[i] ?? '');
      i++;
      j++;
    } else if ((lcs[(i + 1) * w + j] ?? 0) >= (lcs[i * w + j + 1] ?? 0)) {
      push('here', here[i] ?? '');
      i++;
    } else {
      push('there', there[j] ?? '');
      j++;
    }
  }
  for (; i < a.length; i++) push('here', here[i] ?? '');
  for (; j < b.length; j++) push('there', there[j] ?? '');
  return { lines: out, onlyHere, onlyThere };
}
