import { createHash } from 'node:crypto';

import type { ByteSource } from '@schoolbench/data-format-core';

/** A file to import that can be read more than once (hashing, then parsing). */
export interface DatasetSource {
  name: string;
  open(): ByteSource;
}

export async function sha256Of(source: DatasetSource): Promise<string> {
  const hash = createHash('sha256');
  const bytes = source.open();
  if (typeof bytes === 'string' || bytes instanceof Uint8Array) {
    hash.update(bytes);
  } else {
    for await (const chunk of bytes as AsyncIterable<Uint8Array | string>) hash.update(chunk);
  }
  return hash.digest('hex');
}
