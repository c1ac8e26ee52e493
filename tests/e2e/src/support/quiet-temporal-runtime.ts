import { DefaultLogger, Runtime } from '@temporalio/worker';

/**
 * Workers log every refused command ("Workflow failed") at WARN: expected in these tests, noise in
 * their output. Installed once per Jest worker process, before any Temporal worker exists.
 */
export function installQuietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed in this process.
  }
}
