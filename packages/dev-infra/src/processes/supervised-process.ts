import { spawn, type ChildProcess } from 'node:child_process';

export interface SupervisedProcessOptions {
  /** A short name for messages and output prefixes. */
  name: string;
  command: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves true once the process serves; polled after every (re)start until `readyTimeoutMs`. */
  isReady?: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** Lines kept of the process's output, for error messages. */
  outputLines?: number;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Every child any supervisor started, killed should the test process exit without stopping them. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One real OS process that a fault test can start, kill (any signal, `kill -9` included), and start
 * again with the same command and environment: the piece every fault test shares. It keeps the
 * last lines of output so a process that dies or never gets ready explains itself.
 */
export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<ProcessExit> | undefined;
  private readonly lines: string[] = [];
  /** How many times the process was started. */
  starts = 0;

  constructor(readonly options: SupervisedProcessOptions) {
    installExitHook();
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the process wrote (stdout and stderr, interleaved). */
  output(): string[] {
    return [...this.lines];
  }

  /** Spawns the process and waits until `isReady` answers true (when given). */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    const { command, args = [], env, cwd } = this.options;
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.starts += 1;
    liveChildren.add(child);
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        this.lines.push(line);
        if (this.lines.length > (this.options.outputLines ?? 80)) this.lines.shift();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise<ProcessExit>((resolve) => {
      child.once('exit', (code, signal) => {
        liveChildren.delete(child);
        resolve({ code, signal });
      });
      child.once('error', (error) => {
        this.lines.push(`spawn error: ${error.message}`);
        liveChildren.delete(child);
        resolve({ code: null, signal: null });
      });
    });
    await this.waitUntilReady();
  }

  private async waitUntilReady(): Promise<void> {
    const { isReady } = this.options;
    if (!isReady) return;
    const timeoutMs = this.options.readyTimeoutMs ?? 90_000;
    const deadline = Date.now() + timeoutMs;
    let lastProbe = 'never probed';
    while (Date.now() < deadline) {
      if (!this.running)
        throw new Error(`${this.name} exited before it was ready:\n${this.lines.slice(-20).join('\n')}`);
      const ready = await isReady().catch((error: unknown) => {
        lastProbe =
          error instanceof Error
            ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`
            : String(error);
        return false;
      });
      if (ready) return;
      await sleep(100);
    }
    throw new Error(
      `${this.name} (pid ${this.pid}) was not ready after ${timeoutMs} ms (last probe: ${lastProbe}):\n${this.lines.slice(-20).join('\n')}`,
    );
  }

  /** Sends a signal (SIGKILL: `kill -9`) and resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit> {
    const child = this.child;
    if (!child || !this.exited) throw new Error(`${this.name} was never started`);
    if (this.running) child.kill(signal);
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after the grace period; a no-op when not running. */
  async stop(): Promise<void> {
    if (!this.running || !this.exited) return;
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), this.options.stopGraceMs ?? 10_000);
    try {
      await this.kill('SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the process (gracefully) if it runs, then starts it again with the same command and environment. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
