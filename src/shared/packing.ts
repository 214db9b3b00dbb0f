// Scenario text for browser storage (autosave): the contract's file text, compressed. Small scenarios
// use lz-string's UTF-16 form (synchronous, so the page can save one at pagehide); large ones use the
// platform's deflate (CompressionStream, native and fast) in base64. A prefix names the codec.

import LZString from 'lz-string';
import { scenarioToFile, type Scenario } from '../model/core.ts';

const LZ = 'lz16:';
const DEFLATE = 'z64:';
/** A share link's payload (lz-string's URI-safe form), unpacked here for a large scenario. */
export const SHARE_LINK_PACKED = 'lzuri:';
/** File texts longer than this are deflated instead (lz-string manages about 1 MB/s). */
const LZ_MAX_CHARS = 200_000;

export function scenarioJson(scenario: Scenario, indent?: number): string {
  return JSON.stringify(scenarioToFile(scenario), null, indent);
}

/** Version of the share-link envelope (the scenario inside carries its own format version). */
export const SHARE_LINK_VERSION = 1;
export const SHARE_KEY = 'scenario';

/** The fragment (without '#') that carries a whole scenario: `scenario=1.<lz-string payload>`.
 * Compressing a large scenario takes a second: the page asks the engine for it (shareFragment). */
export function shareFragmentOf(scenario: Scenario): string {
  const payload = LZString.compressToEncodedURIComponent(scenarioJson(scenario));
  return `${SHARE_KEY}=${SHARE_LINK_VERSION}.${payload}`;
}

/** Synchronous packing (lz-string): for small scenarios only. */
export function packScenarioSync(scenario: Scenario): string {
  return LZ + LZString.compressToUTF16(scenarioJson(scenario));
}

async function streamBytes(
  input: Uint8Array,
  transform: CompressionStream | DecompressionStream,
): Promise<Uint8Array> {
  const stream = new Blob([input as BlobPart]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export async function packScenario(scenario: Scenario): Promise<string> {
  const text = scenarioJson(scenario);
  if (text.length <= LZ_MAX_CHARS || typeof CompressionStream !== 'function') {
    return LZ + LZString.compressToUTF16(text);
  }
  const bytes = await streamBytes(new TextEncoder().encode(text), new CompressionStream('deflate'));
  return DEFLATE + toBase64(bytes);
}

/** The file text inside a packed scenario, or undefined when it is damaged. */
export async function unpackScenarioText(packed: string): Promise<string | undefined> {
  try {
    if (packed.startsWith(LZ))
      return LZString.decompressFromUTF16(packed.slice(LZ.length)) || undefined;
    if (packed.startsWith(SHARE_LINK_PACKED)) {
      const payload = packed.slice(SHARE_LINK_PACKED.length);
      return LZString.decompressFromEncodedURIComponent(payload) || undefined;
    }
    if (packed.startsWith(DEFLATE)) {
      const bytes = await streamBytes(
        fromBase64(packed.slice(DEFLATE.length)),
        new DecompressionStream('deflate'),
      );
      return new TextDecoder().decode(bytes);
    }
    return undefined;
  } catch {
    return undefined;
  }
}
