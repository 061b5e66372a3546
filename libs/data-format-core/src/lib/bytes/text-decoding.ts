import { createHash } from 'node:crypto';

import type { ProblemSink } from '../problems/problem';
import { byteChunks, type ByteSource } from './byte-source';

export type TextEncodingName = 'utf-8' | 'windows-1252';

/** Filled in while the text streams; final once the text generator has finished. */
export interface DecodedTextState {
  byteLength: number;
  /** sha256 of the bytes exactly as uploaded (BOM included), hex; set when reading completes. */
  contentHash: string | null;
  encoding: TextEncodingName;
  hadBom: boolean;
  endsWithLineBreak: boolean;
  /** Reading stopped early (binary file, wrong encoding, too large): nothing after it is meaningful. */
  fatal: boolean;
  /** Any non-whitespace character seen. */
  hasContent: boolean;
}

export interface DecodeOptions {
  readonly problems: ProblemSink;
  readonly maxBytes?: number;
}

export interface DecodedText {
  readonly text: AsyncGenerator<string>;
  readonly state: DecodedTextState;
}

// Node's TextDecoder('windows-1252') decodes 0x80-0x9F as C1 controls (latin1), not as the
// Windows characters (en dash, curly quotes, ellipsis...), so the table is ours.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152,
  0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
  0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

export function decodeWindows1252(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    units[i] = b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : b;
  }
  let out = '';
  for (let i = 0; i < units.length; i += 8192) {
    out += String.fromCharCode(...units.subarray(i, i + 8192));
  }
  return out;
}

interface Utf8Scan {
  /** Index of the first byte that cannot start or continue valid UTF-8, or -1. */
  readonly invalidAt: number;
  /** Start of an incomplete sequence at the end (kept for the next chunk), or bytes.length. */
  readonly tailStart: number;
  readonly sawMultiByte: boolean;
}

/** Strict UTF-8 check (no overlongs, no surrogates), tolerant of a sequence cut by the chunk end. */
export function scanUtf8(bytes: Uint8Array): Utf8Scan {
  let i = 0;
  let sawMultiByte = false;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return { invalidAt: i, tailStart: n, sawMultiByte };
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return { invalidAt: -1, tailStart: i, sawMultiByte };
      const c = bytes[i + k];
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return { invalidAt: i, tailStart: n, sawMultiByte };
    }
    sawMultiByte = true;
    i += need + 1;
  }
  return { invalidAt: -1, tailStart: n, sawMultiByte };
}

const MAGIC: readonly { bytes: readonly number[]; what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive or Excel .xlsx workbook' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an Excel .xls workbook' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.length <= bytes.length && prefix.every((b, i) => bytes[i] === b);
}

/**
 * Streams a file as text: strips the BOM, decodes UTF-8 (or Windows-1252 when the bytes are not
 * UTF-8 and nothing before the first bad byte was UTF-8 multi-byte text), turns CRLF into LF,
 * hashes the raw bytes and stops on binary content or when the size limit is passed.
 */
export function decodeText(source: ByteSource, options: DecodeOptions): DecodedText {
  const state: DecodedTextState = {
    byteLength: 0,
    contentHash: null,
    encoding: 'utf-8',
    hadBom: false,
    endsWithLineBreak: false,
    fatal: false,
    hasContent: false,
  };
  return { state, text: generate(source, options, state) };
}

async function* generate(
  source: ByteSource,
  options: DecodeOptions,
  state: DecodedTextState,
): AsyncGenerator<string> {
  const { problems } = options;
  const hash = createHash('sha256');
  const utf8 = new TextDecoder('utf-8');
  let head: Uint8Array | null = new Uint8Array(0);
  let carry: Uint8Array = new Uint8Array(0);
  let pendingCr = false;
  let lines = 1;
  let sawMultiByte = false;

  const fail = (rule: string, message: string): void => {
    state.fatal = true;
    problems.add(rule, { line: rule === 'wrong_encoding' ? lines : null, message });
  };

  // CRLF → LF, holding back a final CR in case its LF is in the next chunk.
  const normalise = (text: string, last: boolean): string => {
    let t = pendingCr ? `\r${text}` : text;
    pendingCr = false;
    if (!last && t.endsWith('\r')) {
      pendingCr = true;
      t = t.slice(0, -1);
    }
    t = t.replace(/\r\n/g, '\n');
    if (t.length > 0) {
      if (!state.hasContent && /\S/.test(t)) state.hasContent = true;
      state.endsWithLineBreak = /[\n\r]$/.test(t);
      for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) lines++;
    }
    return t;
  };

  const decodeChunk = (chunk: Uint8Array): string | null => {
    if (chunk.includes(0)) {
      fail('binary_file', 'The file contains NUL bytes, so it is not a text CSV file.');
      return null;
    }
    if (state.encoding === 'windows-1252') return decodeWindows1252(chunk);
    const bytes: Uint8Array = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const scan = scanUtf8(bytes);
    if (scan.invalidAt === -1) {
      sawMultiByte ||= scan.sawMultiByte;
      carry = bytes.slice(scan.tailStart);
      return utf8.decode(bytes.subarray(0, scan.tailStart), { stream: true });
    }
    if (sawMultiByte || scanUtf8(bytes.subarray(0, scan.invalidAt)).sawMultiByte) {
      for (let i = 0; i < scan.invalidAt; i++) if (bytes[i] === 0x0a) lines++;
      fail(
        'wrong_encoding',
        'The file mixes UTF-8 text with bytes that are not UTF-8, so its characters cannot be read reliably.',
      );
      return null;
    }
    // Everything so far was plain ASCII, which Windows-1252 reads the same way.
    state.encoding = 'windows-1252';
    carry = new Uint8Array(0);
    problems.add('decoded_as_windows_1252', {
      line: lines,
      message:
        'The file is not UTF-8; it was read as Windows-1252 (the encoding older Excel versions save CSV files in).',
    });
    return decodeWindows1252(bytes);
  };

  for await (const raw of byteChunks(source)) {
    if (raw.length === 0) continue;
    state.byteLength += raw.length;
    hash.update(raw);
    if (options.maxBytes !== undefined && state.byteLength > options.maxBytes) {
      fail(
        'file_too_large',
        `The file is larger than the ${options.maxBytes.toLocaleString('en-GB')} byte upload limit.`,
      );
      return;
    }
    let chunk = raw;
    if (head) {
      // Sniff the first bytes once: BOMs and the signatures of binary formats.
      const joined: Uint8Array = head.length > 0 ? Buffer.concat([head, raw]) : raw;
      if (joined.length < 4) {
        head = joined;
        continue;
      }
      head = null;
      chunk = joined;
      const binary = MAGIC.find((m) => startsWith(chunk, m.bytes));
      if (binary) {
        fail('binary_file', `The file is ${binary.what}, not a CSV text file.`);
        return;
      }
      if (startsWith(chunk, [0xff, 0xfe]) || startsWith(chunk, [0xfe, 0xff])) {
        fail('wrong_encoding', 'The file is saved as UTF-16 ("Unicode text"), not as CSV UTF-8.');
        return;
      }
      if (startsWith(chunk, [0xef, 0xbb, 0xbf])) {
        state.hadBom = true;
        chunk = chunk.subarray(3);
      }
    }
    const text = decodeChunk(chunk);
    if (text === null) return;
    const out = normalise(text, false);
    if (out.length > 0) yield out;
  }
  if (head && head.length > 0) {
    // A file shorter than the sniffing window.
    let chunk = head;
    if (startsWith(chunk, [0xef, 0xbb, 0xbf])) {
      state.hadBom = true;
      chunk = chunk.subarray(3);
    }
    const text = decodeChunk(chunk);
    if (text === null) return;
    const out = normalise(text, false);
    if (out.length > 0) yield out;
  }
  let tail = state.encoding === 'utf-8' ? utf8.decode(carry) : '';
  if (carry.length > 0 && state.encoding === 'utf-8') {
    // A multi-byte sequence cut off by the end of the file.
    tail = decodeWindows1252(carry);
  }
  const out = normalise(tail, true);
  if (out.length > 0) yield out;
  state.contentHash = hash.digest('hex');
}
