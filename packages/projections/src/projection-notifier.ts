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

/** An announcement as it goes out on Redis: its channel and its message. */
export function announcementMessage(
  keyPrefix: string,
  announcement: ProjectionAnnouncement,
): { channel: string; message: string } {
  return { channel: projectionChannel(keyPrefix), message: JSON.stringify(announcement) };
}

/**
 * Announces a committed batch: query-api instances learn the new position (read-your-writes) and
 * which entries to drop from their caches. Best effort: when Redis is down the announcement is lost,
 * and readers fall back to the checkpoint in Postgres and to their cache TTL.
 */
export async function announceBatch(
  redis: Redis,
  keyPrefix: string,
  announcement: ProjectionAnnouncement,
): Promise<boolean> {
  const { channel, message } = announcementMessage(keyPrefix, announcement);
  try {
    await redis.publish(channel, message);
    return true;
  } catch {
    return false;
  }
}

export function parseAnnouncement(message: string): ProjectionAnnouncement | undefined {
  try {
    const parsed = JSON.parse(message) as Partial<ProjectionAnnouncement>;
    if (typeof parsed.projection !== 'string' || typeof parsed.position !== 'string' || !/^\d+$/.test(parsed.position))
      return undefined;
    return {
      projection: parsed.projection,
      position: parsed.position,
      changes: parsed.changes ?? { paymentIds: [], organizationIds: [] },
    };
  } catch {
    return undefined;
  }
}
