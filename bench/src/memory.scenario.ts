import { measure, type Measure } from './harness';
import type { Scenario } from './scenario';
import type { ServiceName } from './stack';

/** RSS of each service (a child process): idle after start, and the peak sampled during the POST /payments load. */
export const memoryScenario: Scenario = {
  name: 'memory (RSS)',
  readsSeededPayments: false,
  async run({ memory }) {
    const names = Object.keys(memory.idle) as ServiceName[];
    const measures: Measure[] = [];
    for (const name of names) {
      if (name === 'baseline-server') continue;
      const idle = (memory.idle[name] ?? Number.NaN) / 1024;
      const loaded = (memory.underCommandLoad[name] ?? Number.NaN) / 1024;
      measures.push(measure({ scenario: this.name, metric: `${name}: idle`, unit: 'MB', values: [idle] }));
      if (Number.isFinite(loaded))
        measures.push(
          measure({ scenario: this.name, metric: `${name}: peak under command load`, unit: 'MB', values: [loaded] }),
        );
    }
    return {
      measures,
      notes: ['VmRSS from /proc/<pid>/status; peak sampled every 250 ms during the POST /payments scenario'],
    };
  },
};
