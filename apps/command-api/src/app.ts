import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import apiClientPackage from '@gyroscops/api-client/package.json';
import type { EventStoreDb } from '@gyroscops/event-store';
import type { IdempotencyDb } from '@gyroscops/idempotency';
import {
  checkTemporal,
  createHttpApp,
  type AuthConfig,
  type HttpApp,
  type HttpHardeningOptions,
  type LogConfig,
} from '@gyroscops/platform';
import type { Registry } from 'prom-client';
import { BillingCommandDispatcher } from './commands/billing-command-dispatcher';
import { CommandDispatcher } from './commands/command-dispatcher';
import { InvoiceCommandDispatcher } from './commands/invoice-command-dispatcher';
import { createInvoiceLookup } from './commands/invoice-lookup';
import { createPaymentOrganizationLookup } from './commands/payment-organization-lookup';
import { registerBillingCommandRoutes } from './routes/billing-commands.routes';
import { registerCommandStatusRoutes } from './routes/command-status.routes';
import { registerInvoiceCommandRoutes } from './routes/invoice-commands.routes';
import { registerOrganizationPaymentMethodRoutes } from './routes/organization-payment-method.routes';
import { registerPaymentCommandRoutes } from './routes/payment-commands.routes';

export interface CommandApiDependencies {
  temporal: Client;
  /** The command side's database: event store (read for organization lookups) and idempotency keys. */
  eventStore: EventStoreDb;
  idempotencyDb: IdempotencyDb;
  log: LogConfig;
  /** How bearer tokens are verified (JWT_SECRET or JWT_JWKS_URL). */
  auth: AuthConfig;
  /** CORS origins, rate limits (shared through Redis) and load shedding; platform defaults when absent. */
  hardening?: HttpHardeningOptions;
  metrics: Registry;
  resultTimeoutMs: number;
  idempotencyTtlMs: number;
  /** Overrides the command task queue (tests). */
  taskQueue?: string;
}

/** The command-api as a Fastify instance, without listening: tests drive it with `inject` or a port of their own. */
export async function buildCommandApi(deps: CommandApiDependencies): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'command-api',
    title: 'Gyroscops payments: command API',
    description:
      'Commands on payments. Each command runs as a Temporal workflow and becomes events in the event store.',
    // The version of @gyroscops/api-client, whose release is this contract (npm run check:api guards it).
    version: apiClientPackage.version,
    log: deps.log,
    auth: deps.auth,
    hardening: deps.hardening,
    metrics: deps.metrics,
    tags: [
      { name: 'payments', description: 'Commands on payments' },
      { name: 'commands', description: 'The state of asynchronous commands' },
      {
        name: 'billing',
        description: "Commands on organizations' billing: plans, usage, payment methods and invoices",
      },
    ],
    readiness: {
      postgres: () => sql`select 1`.execute(deps.eventStore),
      temporal: () => checkTemporal(deps.temporal),
    },
  });
  const dispatcher = new CommandDispatcher({
    temporal: deps.temporal,
    idempotencyDb: deps.idempotencyDb,
    resultTimeoutMs: deps.resultTimeoutMs,
    idempotencyTtlMs: deps.idempotencyTtlMs,
    taskQueue: deps.taskQueue,
  });
  registerPaymentCommandRoutes(app, { dispatcher, organizationOf: createPaymentOrganizationLookup(deps.eventStore) });
  registerBillingCommandRoutes(app, {
    dispatcher: new BillingCommandDispatcher({
      temporal: deps.temporal,
      idempotencyDb: deps.idempotencyDb,
      resultTimeoutMs: deps.resultTimeoutMs,
      idempotencyTtlMs: deps.idempotencyTtlMs,
      taskQueue: deps.taskQueue,
    }),
  });
  const invoiceCommands = new InvoiceCommandDispatcher({
    temporal: deps.temporal,
    idempotencyDb: deps.idempotencyDb,
    resultTimeoutMs: deps.resultTimeoutMs,
    idempotencyTtlMs: deps.idempotencyTtlMs,
    taskQueue: deps.taskQueue,
  });
  registerInvoiceCommandRoutes(app, { dispatcher: invoiceCommands, invoiceOf: createInvoiceLookup(deps.eventStore) });
  registerOrganizationPaymentMethodRoutes(app, { dispatcher: invoiceCommands });
  registerCommandStatusRoutes(app, deps.temporal);
  return app;
}
