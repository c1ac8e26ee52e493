import { Type, type Static } from '@sinclair/typebox';

/** RFC 9457 problem details: every 4xx and 5xx answer has this shape, as application/problem+json. */
export const ProblemDetails = Type.Object(
  {
    type: Type.String({ description: 'A URI reference naming the problem type.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.Optional(Type.String({ description: 'Stable machine-readable error code.' })),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'ProblemDetails', title: 'ProblemDetails' },
);
export type ProblemDetails = Static<typeof ProblemDetails>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
