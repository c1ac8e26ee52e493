import { createConnection } from 'node:net';
import { freePort } from '../free-port';
import { SupervisedProcess } from './supervised-process';

/** Sends PING over a raw socket: true on +PONG. Keeps this package free of a Redis client. */
export function redisAnswersPing(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export interface RedisServerProcess {
  url: string;
  port: number;
  process: SupervisedProcess;
}

/**
 * A private, throw-away redis-server on its own port (no persistence), so a test can stop and start
 * the Redis its services use without touching the machine's Redis. Starts it and waits for PING.
 */
export async function startRedisServer(options: { port?: number; binary?: string } = {}): Promise<RedisServerProcess> {
  const port = options.port ?? (await freePort());
  const process = new SupervisedProcess({
    name: `redis-server:${port}`,
    command: options.binary ?? globalThis.process.env.REDIS_SERVER_PATH ?? 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    isReady: () => redisAnswersPing(port),
    readyTimeoutMs: 20_000,
    stopGraceMs: 5_000,
  });
  await process.start();
  return { url: `redis://127.0.0.1:${port}`, port, process };
}
