// The HEALTHCHECK of every Gyroscops image (infra/docker/Dockerfile): GET /health/live on the
// service's own port. Slim images carry no curl or wget; node is already there.
// Exit 0 healthy, 1 unhealthy (Docker's contract).
'use strict';

const http = require('node:http');

// Each service's port variable and its default, as in apps/<app>/src/config.ts. Reading the same
// variable as the service keeps the probe right when a deployment moves the port.
const SERVICE_PORTS = {
  'command-api': ['COMMAND_API_PORT', 3000],
  'query-api': ['QUERY_API_PORT', 3001],
  'command-worker': ['COMMAND_WORKER_HEALTH_PORT', 3010],
  'projection-worker': ['PROJECTION_WORKER_HEALTH_PORT', 3011],
  'query-worker': ['QUERY_WORKER_HEALTH_PORT', 3012],
};

const service = SERVICE_PORTS[process.env.APP ?? ''];
const port = process.env.HEALTH_PORT || (service && (process.env[service[0]] || service[1]));
// The cli image is a one-shot tool with no server: nothing to probe.
if (!port) process.exit(0);

// Loopback by default: the services bind HOST=0.0.0.0 in the image, which includes it. Set
// HEALTH_HOST only when HOST names one specific interface.
const host = process.env.HEALTH_HOST || '127.0.0.1';
const request = http.get({ host, port: Number(port), path: '/health/live', timeout: 3_000 }, (response) => {
  response.resume();
  process.exit(response.statusCode === 200 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timed out')));
request.on('error', (error) => {
  console.error(`GET http://${host}:${port}/health/live: ${error.message}`);
  process.exit(1);
});
