import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/**
 * Every Redis key the cache uses, under the deployment's key prefix:
 * - `<prefix>cache:<type>:<sha1 of canonical params>`: one entry (L1 uses the same string);
 * - `<prefix>tag:<tag>`: the version of a tag, i.e. the invalidation epoch at which it last changed;
 * - `<prefix>tag-epoch`: the global invalidation counter those versions come from.
 */
export function cacheKeys(prefix: string) {
  return {
    entry: (type: string, params: unknown) =>
      `${prefix}cache:${type}:${createHash('sha1').update(canonicalJson(params)).digest('hex')}`,
    tagPrefix: `${prefix}tag:`,
    tag: (tag: string) => `${prefix}tag:${tag}`,
    epoch: `${prefix}tag-epoch`,
  };
}
export type CacheKeys = ReturnType<typeof cacheKeys>;
