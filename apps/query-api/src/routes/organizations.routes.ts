import { OrganizationIdParams, OrganizationViewSchema, ReadYourWritesHeaders } from '@gyroscops/contracts';
import { authenticatedProblems, ApplicationError, canSee, type HttpApp } from '@gyroscops/platform';
import { organizationViewQuery } from '../queries/organization-view.query';
import type { QueryBus } from '../query-bus/query-handler';

/** `GET /organizations/{organizationId}`: an organization's billing, from the organizations and invoices read models. */
export function registerOrganizationRoutes(app: HttpApp, deps: { bus: QueryBus }): void {
  app.get(
    '/organizations/:organizationId',
    {
      schema: {
        tags: ['billing'],
        operationId: 'getOrganization',
        summary: "An organization's billing: standing, plan, current cycle, unbilled usage and what it owes",
        description:
          "404 for an organization without a billing plan, and for one that is not among the token's organizations.",
        params: OrganizationIdParams,
        headers: ReadYourWritesHeaders,
        response: {
          200: { ...OrganizationViewSchema, description: "The organization's billing" },
          ...authenticatedProblems(400, 404),
        },
      },
    },
    async (request, reply) => {
      const { organizationId } = request.params;
      // Tenancy first: another organization's billing is not even looked up, and answers as an unknown one.
      if (!canSee(request, organizationId))
        throw new ApplicationError('NOT_FOUND', `organization ${organizationId} not found`);
      const view = await deps.bus.execute(organizationViewQuery, { organizationId }, request, reply);
      if (!view) throw new ApplicationError('NOT_FOUND', `organization ${organizationId} has no billing plan`);
      return view;
    },
  );
}
