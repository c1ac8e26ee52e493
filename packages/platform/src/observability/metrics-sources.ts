import { get } from 'node:http';

/**
 * Prometheus endpoints of this process whose text every service registry appends to its own: the
 * Temporal SDK runtime exports its metrics from native code on a loopback port of its own. Global
 * like the runtime itself (one per process).
 */
const sources = new Set<string>();

export function addMetricsSource(url: string): void {
  sources.add(url);
}

export function metricsSources(): string[] {
  return [...sources];
}

/** The text of one endpoint; empty when it does not answer (a scrape must not fail for it). */
export function fetchMetricsText(url: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: timeoutMs }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return resolve('');
      }
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
      response.on('error', () => resolve(''));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(''));
  });
}
