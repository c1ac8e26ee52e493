import { Type, type Static } from '@sinclair/typebox';
import { OrganizationId, Position } from './common.schema';
import { Cursor } from './cursor.schema';
import { Instant } from './instant.schema';
import { SafeString } from './safe-string.schema';

/** An event as stored, for history, event search and timelines. `data` and `metadata` are shown as stored. */
export const StoredEventSchema = Type.Object({
  eventId: Type.String({ format: 'uuid' }),
  type: Type.String(),
  streamId: Type.String(),
  streamType: Type.String(),
  /** The stream version this event made. */
  version: Type.Integer({ minimum: 1 }),
  position: Position,
  recordedAt: Type.String({ format: 'date-time' }),
  schemaVersion: Type.Integer({ minimum: 1 }),
  data: Type.Object({}, { additionalProperties: true }),
  metadata: Type.Object({}, { additionalProperties: true }),
});
export type StoredEventBody = Static<typeof StoredEventSchema>;

/** `GET /payments/{paymentId}/history`: every event of the stream, in version order, kept after a delete. */
export const PaymentHistory = Type.Object({ items: Type.Array(StoredEventSchema) });
export type PaymentHistory = Static<typeof PaymentHistory>;

export const EVENT_SEARCH_MAX_LIMIT = 200;
export const EVENT_SEARCH_DEFAULT_LIMIT = 50;

/** `GET /events` query string. */
export const EventSearchQuery = Type.Object(
  {
    type: Type.Optional(
      Type.Array(SafeString({ minLength: 1, maxLength: 200 }), {
        minItems: 1,
        maxItems: 50,
        description: 'Any of these event types (repeat the parameter).',
      }),
    ),
    streamType: Type.Optional(SafeString({ minLength: 1, maxLength: 100 })),
    organizationId: Type.Optional(OrganizationId),
    from: Type.Optional(Instant({ description: 'Recorded at or after (inclusive).' })),
    to: Type.Optional(Instant({ description: 'Recorded before (exclusive).' })),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: EVENT_SEARCH_MAX_LIMIT, default: EVENT_SEARCH_DEFAULT_LIMIT }),
    ),
    cursor: Type.Optional(Cursor('Opaque: the nextCursor of the previous page, with the same filters.')),
  },
  { additionalProperties: false },
);
export type EventSearchQuery = Static<typeof EventSearchQuery>;

/** A page of events in global order. A page never repeats or skips an event committed before the walk began. */
export const EventPage = Type.Object({
  items: Type.Array(StoredEventSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page.' }),
});
export type EventPage = Static<typeof EventPage>;

/** Correlation ids are what the APIs accept in X-Correlation-Id. */
export const CorrelationIdParams = Type.Object(
  { correlationId: Type.String({ pattern: '^[A-Za-z0-9._:-]{1,200}$' }) },
  { additionalProperties: false },
);
export type CorrelationIdParams = Static<typeof CorrelationIdParams>;

/** Events of a timeline also name the workflow execution that appended them. */
export const TimelineEventSchema = Type.Composite([
  StoredEventSchema,
  Type.Object({
    workflowId: Type.Union([Type.String(), Type.Null()]),
    workflowRunId: Type.Union([Type.String(), Type.Null()]),
  }),
]);
export type TimelineEventBody = Static<typeof TimelineEventSchema>;

/** Most events one timeline shows; `truncated` says when there were more. */
export const TIMELINE_MAX_EVENTS = 1_000;

export const Timeline = Type.Object({
  correlationId: Type.String(),
  items: Type.Array(TimelineEventSchema),
  truncated: Type.Boolean({
    description: `true when more than ${TIMELINE_MAX_EVENTS} events carry the id: only the first ones are shown.`,
  }),
});
export type Timeline = Static<typeof Timeline>;
