// Reading the files the CLI is given (scenarios, debugfs dumps, trace logs) as UTF-8 text, strictly:
// - only a regular file is opened: a FIFO, a socket or a device would block in open() or read()
//   and the command would hang with no word;
// - bytes that are not UTF-8 are refused with their offset and line, never replaced silently
//   (a replaced byte inside a hex word would become a different, confusing error later);
// - a leading UTF-8 byte-order mark (some Windows editors write one) is skipped, so it never shows
//   up as an invisible character in a JSON error.
// Errors are plain Errors whose message says why; main.ts puts "cannot read FILE: " before it.

import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** What a path that is not a regular file is, for the message (undefined for a regular file). */
function nonRegularKind(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function refuseNonRegular(info: Stats): void {
  const kind = nonRegularKind(info);
  if (kind === undefined) return;
  if (info.isDirectory()) throw new Error('it is a directory');
  throw new Error(`it is ${kind}, not a regular file (save the input to a file first)`);
}

/** The 1-based line and column of a byte offset (columns count bytes). */
function lineAndColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * The offset of the first byte that is not well-formed UTF-8. The lenient decoder turns each bad
 * sequence into U+FFFD; a U+FFFD that the file really contains is the bytes EF BF BD, so the first
 * U+FFFD not backed by those bytes marks the error.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  let offset = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0xfffd && !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf)) return offset;
    offset += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return offset;
}

/** File bytes as text: a leading UTF-8 byte-order mark skipped, anything not UTF-8 refused. */
export function decodeUtf8File(bytes: Uint8Array): string {
  const bom = UTF8_BOM.every((b, i) => bytes[i] === b) ? UTF8_BOM.length : 0;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new Error('it is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(bom));
  } catch {
    const offset = bom + firstInvalidByte(bytes.subarray(bom));
    const { line, column } = lineAndColumn(bytes, offset);
    const byte = (bytes[offset] ?? 0).toString(16).padStart(2, '0');
    throw new Error(
      `not valid UTF-8: byte 0x${byte} at offset ${offset} (line ${line}, column ${column}); save it as UTF-8`,
    );
  }
}

// Opening without O_NONBLOCK would wait for a writer if the path became a FIFO after the check.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** A regular file's contents as UTF-8 text (see the top of this file for what is refused). */
export async function readTextFile(path: string): Promise<string> {
  // Look before opening: open() itself blocks on a FIFO, and opening a device can have effects.
  refuseNonRegular(await stat(path));
  const handle = await open(path, OPEN_FLAGS);
  try {
    // The path could have been replaced between stat() and open(): check what was opened.
    refuseNonRegular(await handle.stat());
    return decodeUtf8File(await handle.readFile());
  } finally {
    await handle.close();
  }
}
