/** The POST /payments baseline: a workflow that does nothing, started and awaited on the same server. */
export async function benchEmptyWorkflow(): Promise<string> {
  return 'done';
}
