import { ORGANIZATION_ACCOUNT_STREAM_TYPE, organizationAccountStreamId } from '@gyroscops/contracts';
import { isOrganizationAccountEvent, type OrganizationAccountEvent } from '@gyroscops/domain';
import type { EventStoreDb } from '@gyroscops/event-store';
import {
  appendStreamEvents,
  loadStream,
  type AppendStreamEventsInput,
  type AppendStreamEventsOutcome,
  type LoadedStream,
} from './invoice-activities';

export interface OrganizationAccountActivityDependencies {
  eventStore: EventStoreDb;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Activities on organization account streams: standing (suspended, reinstated) and payment method. */
export function createOrganizationAccountActivities(deps: OrganizationAccountActivityDependencies) {
  const log = deps.log ?? (() => undefined);
  return {
    loadOrganizationAccount(input: { organizationId: string }): Promise<LoadedStream<OrganizationAccountEvent>> {
      return loadStream(deps.eventStore, organizationAccountStreamId(input.organizationId), isOrganizationAccountEvent);
    },

    appendOrganizationAccountEvents(
      input: AppendStreamEventsInput<OrganizationAccountEvent>,
    ): Promise<AppendStreamEventsOutcome> {
      return appendStreamEvents(
        deps.eventStore,
        {
          streamId: organizationAccountStreamId(input.organizationId),
          streamType: ORGANIZATION_ACCOUNT_STREAM_TYPE,
        },
        input,
        log,
      );
    },
  };
}

export type OrganizationAccountActivities = ReturnType<typeof createOrganizationAccountActivities>;
