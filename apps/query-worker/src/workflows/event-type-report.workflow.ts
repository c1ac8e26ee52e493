import { proxyActivities } from '@temporalio/workflow';
import type { EventTypeCount, QueryActivities } from '../activities/create-query-activities';

const { countEventsByType } = proxyActivities<QueryActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export interface EventTypeReportInput {
  from: string;
  to: string;
}

export interface EventTypeReport {
  from: string;
  to: string;
  total: number;
  byType: EventTypeCount[];
}

/** Counts events per type over a time range: the first query workflow (reports grow from here). */
export async function eventTypeReportWorkflow(input: EventTypeReportInput): Promise<EventTypeReport> {
  const byType = await countEventsByType(input);
  return { ...input, total: byType.reduce((sum, entry) => sum + entry.count, 0), byType };
}
