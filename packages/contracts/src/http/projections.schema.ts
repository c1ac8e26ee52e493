import { Type, type Static } from '@sinclair/typebox';
import { Position } from './common.schema';

export const ProjectionStatusBody = Type.Object({
  name: Type.String(),
  version: Type.Integer(),
  position: Position,
  headPosition: Position,
  lagEvents: Type.Integer(),
  lagMs: Type.Integer(),
  state: Type.Union([Type.Literal('live'), Type.Literal('rebuilding'), Type.Literal('halted')]),
  deadLetters: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  rebuild: Type.Union([
    Type.Object({
      eventsDone: Type.Integer(),
      eventsTotal: Type.Integer(),
      eventsPerSecond: Type.Integer(),
      startedAt: Type.String({ format: 'date-time' }),
      halted: Type.Boolean({
        description: 'A poison event stopped the rebuild (the halt policy); a new rebuild starts over',
      }),
      lastError: Type.Union([Type.String(), Type.Null()], {
        description: 'Why the last rebuild batch failed (cleared by the next that commits), or what halted it',
      }),
    }),
    Type.Null(),
  ]),
});

export const ProjectionStatuses = Type.Object({ items: Type.Array(ProjectionStatusBody) });
export type ProjectionStatuses = Static<typeof ProjectionStatuses>;

export const ProjectionNameParams = Type.Object(
  { name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }) },
  { additionalProperties: false },
);

export const ProjectionActionAccepted = Type.Object({
  projection: Type.String(),
  action: Type.String(),
  workflowId: Type.String(),
});
