import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { EventStoreDb } from '@gyroscops/event-store';
import type { HttpApp } from '@gyroscops/platform';
import type { QueryBus } from '../query-bus/query-handler';
import { registerEventSearchRoutes } from './event-search.routes';
import { registerPaymentHistoryRoutes } from './payment-history.routes';
import { registerPaymentSearchRoutes } from './payment-search.routes';
import { registerReportRoutes } from './reports.routes';
import { registerTimelineRoutes } from './timeline.routes';

export interface ReadRoutesDependencies {
  bus: QueryBus;
  /** Enables `POST /reports` and `GET /reports/{id}` (503 without it). */
  temporal?: Client;
  /** The query workers' task queue; TASK_QUEUES.queries by default. */
  reportTaskQueue?: string;
  /** Accepted but unused: handlers get the stores from the bus (QueryDependencies). */
  eventStore?: EventStoreDb;
  /** Accepted but unused: handlers get the stores from the bus (QueryDependencies). */
  readDb?: Kysely<any>;
}

/**
 * The query-api's read routes beyond the current payment view: payment search, history, event search,
 * timelines and reports. `GET /payments/{id}?asOf=|?version=` is answered inside the payment view
 * route (answerPaymentAsOf), since it shares its path.
 */
export function registerReadRoutes(app: HttpApp, deps: ReadRoutesDependencies): void {
  registerPaymentSearchRoutes(app, deps);
  registerPaymentHistoryRoutes(app, deps);
  registerEventSearchRoutes(app, deps);
  registerTimelineRoutes(app, deps);
  registerReportRoutes(app, { bus: deps.bus, temporal: deps.temporal, taskQueue: deps.reportTaskQueue });
}
