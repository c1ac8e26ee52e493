/** What .env.example says of one variable, beside what the readers say (default, accepted values). */
export interface EnvVariableDescription {
  /** One line: what the variable does. */
  description: string;
  /** The default is another variable's value (the reader falls back to what that one read). */
  defaultFrom?: string;
}

/**
 * One line for every environment variable a service reads. The readers (EnvReader, in each
 * `read…Config` and apps' config.ts) hold the defaults and the checks; this registry holds what a
 * person needs to choose a value. `npm run env:example` writes .env.example from both, and a unit test
 * fails when a variable some service reads is missing here, when one here is read by no service, or
 * when the committed file is stale.
 */
export const ENV_VARIABLE_DESCRIPTIONS: Readonly<Record<string, EnvVariableDescription>> = {
  // Postgres
  DATABASE_URL: { description: 'Postgres database of both stores unless the next two are set; created when missing.' },
  EVENT_STORE_DATABASE_URL: {
    description:
      'Postgres database of the events, streams, idempotency keys and the simulated gateway ledger; created when missing.',
    defaultFrom: 'DATABASE_URL',
  },
  READ_DATABASE_URL: {
    description: 'Postgres database of the read models, projection checkpoints and dead letters; created when missing.',
    defaultFrom: 'DATABASE_URL',
  },
  PG_POOL_SIZE: { description: 'Connections per Postgres pool.' },
  MIGRATE_ON_START: {
    description: 'Run the database migrations at start-up (npm start migrates once, first, and turns this off).',
  },

  // Redis
  REDIS_URL: { description: "Redis of the cache, the projections' announcements and the rate-limit counters." },
  REDIS_KEY_PREFIX: { description: 'Prefix of every Redis key and channel: lets several stacks share one Redis.' },
  REDIS_COMMAND_TIMEOUT_MS: {
    description:
      'Past this a Redis call is abandoned: the query is served from L1 or Postgres, the rate limit lets the request through.',
  },

  // Temporal
  TEMPORAL_ADDRESS: { description: 'Temporal frontend; npm start starts a local dev server unless this is set.' },
  TEMPORAL_NAMESPACE: { description: 'Temporal namespace of every workflow.' },
  TEMPORAL_API_KEY: { description: 'API key (Temporal Cloud), sent as a bearer token on every call; turns TLS on.' },
  TEMPORAL_TLS: {
    description:
      'TLS to Temporal; unset: on as soon as an API key or any TEMPORAL_TLS_* setting is given, off otherwise (true or false).',
  },
  TEMPORAL_TLS_SERVER_NAME: {
    description: "Name to check the server certificate against, when it differs from the address's host.",
  },
  TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: {
    description:
      'Refused when true (the TypeScript SDK cannot skip host verification): set TEMPORAL_TLS_SERVER_NAME instead.',
  },
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: {
    description:
      "File of the CA (PEM) that signed the server certificate, for a private CA; unset: the system's roots.",
  },
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: { description: 'The same CA as PEM text (not with the _PATH variable).' },
  TEMPORAL_TLS_CLIENT_CERT_PATH: {
    description: 'File of the client certificate (PEM, with its chain) for mTLS; needs the client key.',
  },
  TEMPORAL_TLS_CLIENT_CERT_DATA: { description: 'The client certificate as PEM text (not with the _PATH variable).' },
  TEMPORAL_TLS_CLIENT_KEY_PATH: { description: "File of the client certificate's private key (PEM)." },
  TEMPORAL_TLS_CLIENT_KEY_DATA: { description: 'The client private key as PEM text (not with the _PATH variable).' },
  'TEMPORAL_GRPC_META_*': {
    description: 'An extra gRPC header on every Temporal call: TEMPORAL_GRPC_META_X_TENANT=a sends x-tenant: a.',
  },
  TEMPORAL_CONFIG_FILE: {
    description: 'Refused: the services read no Temporal CLI configuration file; use the TEMPORAL_* variables.',
  },
  TEMPORAL_PROFILE: {
    description: 'Refused: the services read no Temporal CLI profile; use the TEMPORAL_* variables.',
  },

  // Processes
  HOST: { description: "Listen address of the HTTP APIs and the workers' health servers (0.0.0.0 in containers)." },
  LOG_LEVEL: { description: 'Pino log level.' },
  LOG_PRETTY: { description: 'Human-readable logs instead of JSON lines (npm start turns it on).' },
  SHUTDOWN_TIMEOUT_MS: {
    description:
      "Bound of a graceful shutdown; past it, or on a second signal, the process exits 1. Keep it below the orchestrator's grace period.",
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    description:
      'OTLP/HTTP collector (e.g. http://otel-collector:4318): traces are exported when set; the other standard OTEL_* variables are honoured.',
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
    description: 'OTLP/HTTP endpoint of traces only, instead of OTEL_EXPORTER_OTLP_ENDPOINT.',
  },

  // HTTP APIs
  COMMAND_API_PORT: { description: 'HTTP port of the command-api.' },
  QUERY_API_PORT: { description: 'HTTP port of the query-api.' },
  JWT_SECRET: {
    description:
      'HS256 key of bearer tokens, at least 32 characters (development, tests); this or JWT_JWKS_URL is required.',
  },
  JWT_JWKS_URL: {
    description: "The identity provider's JWKS endpoint (RS256/ES256/PS256 keys) for production; not with JWT_SECRET.",
  },
  JWT_ISSUER: { description: "When set, a token's iss must equal it." },
  JWT_AUDIENCE: { description: "When set, a token's aud must contain it." },
  JWT_MAX_LIFETIME_SECONDS: { description: 'Longest lifetime (exp - iat) a bearer token may claim.' },
  CORS_ORIGINS: { description: 'Origins a browser may call the API from; unset: no CORS header is ever sent.' },
  RATE_LIMIT_MAX: {
    description:
      'Requests per caller (token subject, or IP address before authentication) per window; high by default, set it to what one user needs.',
  },
  RATE_LIMIT_WINDOW_MS: { description: 'The fixed window RATE_LIMIT_MAX counts over.' },
  TRUST_PROXY: {
    description:
      'Proxies whose X-Forwarded-For names the client: a hop count (1 behind one load balancer) or their addresses and CIDR ranges; unset: the peer is the client.',
  },
  MAX_EVENT_LOOP_DELAY_MS: {
    description: 'Past this event-loop delay an API sheds load with 503 + Retry-After; 0 turns shedding off.',
  },

  // command-api
  COMMAND_RESULT_TIMEOUT_MS: {
    description: 'A synchronous command waiting longer than this answers 202 with a Location.',
  },
  IDEMPOTENCY_TTL_HOURS: { description: 'How long an Idempotency-Key is remembered.' },

  // Workers
  COMMAND_WORKER_HEALTH_PORT: { description: "Port of the command worker's /health/live, /health/ready and /metrics." },
  PROJECTION_WORKER_HEALTH_PORT: {
    description: "Port of the projection worker's /health/live, /health/ready and /metrics.",
  },
  QUERY_WORKER_HEALTH_PORT: { description: "Port of the query worker's /health/live, /health/ready and /metrics." },
  PAYMENT_GATEWAY: { description: 'The payment gateway adapter.' },
  COMMAND_WORKER_MAX_CONCURRENT_ACTIVITIES: { description: 'Activities one command worker runs at once.' },
  PROJECTION_BATCH_SIZE: { description: 'Events per live projection batch.' },
  PROJECTION_REBUILD_BATCH_SIZE: { description: 'Events per rebuild batch.' },

  // query-api
  READ_YOUR_WRITES_DEFAULT_WAIT_MS: {
    description: 'How long a read with X-Min-Position waits for the projections when it sends no X-Wait-Ms.',
  },
  READ_YOUR_WRITES_MAX_WAIT_MS: { description: 'The most X-Wait-Ms may ask for.' },
  CACHE_L1_MAX_ENTRIES: { description: 'Entries of the in-process cache (L1).' },
  CACHE_L1_MAX_BYTES: { description: 'Approximate bytes of the in-process cache (L1).' },
  CACHE_L1_TTL_MS: { description: 'Longest an L1 entry lives (bounds staleness when an announcement is lost).' },
  CACHE_L2_TTL_SECONDS: {
    description: 'Default time to live of Redis cache entries (L2); a query type may set its own.',
  },
};
