import type Redis from 'ioredis';
import { cacheTags } from '@gyroscops/contracts';
import { cacheKeys } from './cache-keys';
import { invalidateTagsScript } from './l2-scripts';

/**
 * How long a tag version outlives its last invalidation. An expired version reads as 0, which only
 * turns the entries still carrying it into misses (safe); it just must outlive any single read.
 */
const TAG_TTL_SECONDS = 24 * 3_600;

/** A Pub/Sub message to publish once tags are invalidated. */
export interface AfterInvalidation {
  channel: string;
  message: string;
}

/**
 * Makes every L2 entry carrying one of `tags` stale, everywhere, in one atomic script; also refuses
 * the write-back of any read still in flight that would carry them. The projection worker announces
 * each committed batch with `then`, published by the same script once the tags are bumped: an
 * instance that drops its L1 on the announcement cannot refill it from L2 with the old entry, and
 * the batch costs one Redis round trip instead of two. Rejects when Redis fails (nothing published
 * then): a lost invalidation leaves L2 entries stale until their TTL, so log it; do not fail the
 * batch for it.
 */
export async function invalidateTags(
  redis: Redis,
  keyPrefix: string,
  tags: readonly string[],
  then?: AfterInvalidation,
): Promise<void> {
  if (tags.length === 0 && !then) return;
  const keys = cacheKeys(keyPrefix);
  const unique = [...new Set(tags)];
  await invalidateTagsScript.run(
    redis,
    [keys.epoch, ...unique.map(keys.tag)],
    then ? [TAG_TTL_SECONDS, then.channel, then.message] : [TAG_TTL_SECONDS],
  );
}

/**
 * The family of a tag: `payment:*` for every `payment:<id>`. The cache tags every entry with the
 * families of its tags as well, so bumping a family makes all of its entries stale at once.
 */
export function tagFamilyOf(tag: string): string | undefined {
  const colon = tag.indexOf(':');
  return colon > 0 && !tag.endsWith(':*') ? `${tag.slice(0, colon)}:*` : undefined;
}

/** `tags` followed by their families (each tag once). */
export function withTagFamilies(tags: readonly string[]): string[] {
  const all = new Set(tags);
  for (const tag of tags) {
    const family = tagFamilyOf(tag);
    if (family) all.add(family);
  }
  return [...all];
}

/**
 * What a projection batch changed, as cache tags: its payments, organizations and the projection
 * itself. A rebuild's swap (`everything`) replaces every row at once: then the payment and
 * organization families go too, so no entry read from the old tables outlives the swap.
 */
export function tagsOfChanges(
  projection: string,
  changes: { paymentIds: readonly string[]; organizationIds: readonly string[]; everything?: boolean },
): string[] {
  return [
    ...changes.paymentIds.map(cacheTags.payment),
    ...changes.organizationIds.map(cacheTags.organization),
    cacheTags.projection(projection),
    ...(changes.everything ? [tagFamilyOf(cacheTags.payment('-'))!, tagFamilyOf(cacheTags.organization('-'))!] : []),
  ];
}
