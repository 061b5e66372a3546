/**
 * Anything an upload can arrive as: a Buffer (small files, tests), a Node Readable or any async
 * iterable of chunks (multipart streams, S3 bodies).
 */
export type ByteSource =
  Uint8Array | string | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

const SLICE = 64 * 1024;

export async function* byteChunks(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string') {
    yield* sliced(Buffer.from(source, 'utf8'));
    return;
  }
  if (source instanceof Uint8Array) {
    yield* sliced(source);
    return;
  }
  if (Symbol.asyncIterator in source) {
    for await (const chunk of source) yield asBytes(chunk);
    return;
  }
  for (const chunk of source) yield asBytes(chunk);
}

function asBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/** Buffers are sliced so a whole-file Buffer is processed like a stream (and tested like one). */
function* sliced(bytes: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += SLICE) yield bytes.subarray(i, i + SLICE);
}
