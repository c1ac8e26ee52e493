import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { serviceWatchPaths } from './service-watch-paths';
import { watchPaths } from './watch-paths';

/** A build writes its files within this; a restart waits for that much quiet. */
const QUIET_MS = 500;

/**
 * `npm run dev` runs each service through this (`node dist/dev/supervise-service.js <app>`, under
 * the dev command's concurrently): it starts apps/<app>/dist/main.js, and starts it again once the
 * service's built output (see serviceWatchPaths) changed and the build went quiet. A service that
 * crashed waits for the next change. Stopping is the service's own graceful shutdown: the signal
 * that stops the stack (Ctrl-C, or concurrently killing the process tree) reaches the service
 * directly, so this process only waits for it to exit and exits with it.
 */
/** A line of this supervisor's own, timed like the services' logs so a restart can be timed. */
const say = (message: string) => console.log(`${new Date().toISOString()} ${message}`);

function supervise(app: string): void {
  const root = resolve(__dirname, '../../../..');
  const main = join(root, 'apps', app, 'dist', 'main.js');
  let child: ChildProcess | undefined;
  let restarting = false;
  let stopping = false;

  const start = () => {
    const started = spawn(process.execPath, [main], { stdio: 'inherit' });
    child = started;
    started.on('exit', (code, signal) => {
      child = undefined;
      if (stopping) process.exit(code ?? 0);
      if (restarting) {
        restarting = false;
        start();
        return;
      }
      say(`${app} exited (${signal ?? `code ${code}`}): a change to its code starts it again`);
    });
  };
  const restart = () => {
    if (stopping) return;
    say(`${app}: its code changed, restarting`);
    if (!child) return start();
    if (restarting) return;
    restarting = true;
    child.kill('SIGTERM');
  };
  const stopWatching = watchPaths(serviceWatchPaths(root, app), QUIET_MS, restart);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopping = true;
      stopWatching();
      if (!child) process.exit(0);
    });
  }
  start();
}

const app = process.argv[2];
if (!app) {
  console.error('usage: node supervise-service.js <app>');
  process.exit(2);
}
supervise(app);
