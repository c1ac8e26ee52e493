import { runBench, SCENARIOS } from './run-bench';

/**
 * The CI-sized benchmark (`npm run bench -- --smoke`): starts its own Temporal, databases and the
 * built services, runs every scenario for a fraction of a second, and checks only that each one ran
 * and produced numbers. No timing is asserted: these machines are shared and noisy.
 */
describe('benchmark smoke run', () => {
  it('runs every scenario against its baseline and produces finite numbers', async () => {
    const report = await runBench({ smoke: true, log: () => undefined });

    expect(report.scenarios.map((scenario) => ({ scenario: scenario.scenario, error: scenario.error }))).toEqual(
      SCENARIOS.map((scenario) => ({ scenario: scenario.name, error: undefined })),
    );
    for (const scenario of report.scenarios) expect(scenario.measures.length).toBeGreaterThan(0);
    for (const measure of report.measures) {
      expect({ metric: `${measure.scenario}: ${measure.metric}`, finite: Number.isFinite(measure.value) }).toEqual({
        metric: `${measure.scenario}: ${measure.metric}`,
        finite: true,
      });
      if (measure.baseline !== null)
        expect({
          metric: `${measure.scenario}: ${measure.metric} baseline`,
          finite: Number.isFinite(measure.baseline),
        }).toEqual({ metric: `${measure.scenario}: ${measure.metric} baseline`, finite: true });
    }
  }, 180_000);
});
