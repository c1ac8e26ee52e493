/** A readiness probe for SupervisedProcess: true once `url` answers 2xx (otherwise throws what it answered). */
export function httpReady(url: string, timeoutMs = 5_000): () => Promise<boolean> {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    if (!response.ok) throw new Error(`${url} answered ${response.status}: ${body.slice(0, 300)}`);
    return true;
  };
}
