import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { ClsService } from 'nestjs-cls';

// A symbol key: one property lookup (nestjs-cls splits a string key as a dotted path).
const LOADERS = Symbol('schoolbenchLoaders');

/**
 * DataLoaders that live as long as one request (held in its CLS context), so nested fields batch
 * their queries and no cache outlives the request, the tenant or a lost grant.
 */
@Injectable()
export class RequestLoaders {
  constructor(private readonly cls: ClsService) {}

  get<K, V>(name: string, batch: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
    let loaders = this.cls.get<Map<string, DataLoader<unknown, unknown>> | undefined>(LOADERS);
    if (!loaders) {
      loaders = new Map();
      this.cls.set(LOADERS, loaders);
    }
    let loader = loaders.get(name) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>(batch, { maxBatchSize: 500 });
      loaders.set(name, loader);
    }
    return loader;
  }
}
