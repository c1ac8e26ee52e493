import type Redis from 'ioredis';
import type { ProjectionChanges } from './projection';

/** The Redis channel on which projections announce every committed batch. */
export const projectionChannel = (keyPrefix: string) => `${keyPrefix}projections`;

export interface ProjectionAnnouncement {
  projection: string;
  /** Decimal string. */
  position: string;
  changes: ProjectionChanges;
}

/**
 * Announces a committed batch: query-api instances learn the new position (read-your-writes) and
 * which entries to drop from their caches. Best effort: when Redis is down the announcement is lost,
 * and readers fall back to the checkpoint in Postgres and to their cache TTL.
 */
export async function announceBatch(redis: Redis, keyPrefix: string, announcement: ProjectionAnnouncement): Promise<boolean> {
  try {
    await redis.publish(projectionChannel(keyPrefix), JSON.stringify(announcement));
    return true;
  } catch {
    return false;
  }
}

export function parseAnnouncement(message: string): ProjectionAnnouncement | undefined {
  try {
    const parsed = JSON.parse(message) as Partial<ProjectionAnnouncement>;
    if (typeof parsed.projection !== 'string' || typeof parsed.position !== 'string' || !/^\d+$/.test(parsed.position)) return undefined;
    return { projection: parsed.projection, position: parsed.position, changes: parsed.changes ?? { paymentIds: [], organizationIds: [] } };
  } catch {
    return undefined;
  }
}
