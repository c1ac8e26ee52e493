import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchSizes, Measure, ScenarioOutcome } from './harness';

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    platform: string;
    loadAverageAtEnd: number[];
  };
  sizes: BenchSizes;
  authenticated: boolean;
  /** How many processes of each scaled service ran (when not one each). */
  topology?: { commandWorkers: number; commandApis: number };
  scenarios: ScenarioOutcome[];
  measures: Measure[];
}

export function machineInfo(): BenchReport['machine'] {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtEnd: loadavg().map((value) => Number(value.toFixed(2))),
  };
}

const format = (value: number | null, unit = ''): string => {
  if (value === null) return '—';
  if (!Number.isFinite(value)) return String(value);
  const text = Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : String(Number(value.toFixed(2)));
  return unit ? `${text} ${unit}` : text;
};

/** The markdown table: scenario, value, baseline, ratio, target, met?; then each scenario's notes. */
export function toMarkdown(report: BenchReport): string {
  const lines = [
    `# Benchmark ${report.startedAt}${report.sizes.smoke ? ' (smoke)' : ''}`,
    '',
    `Machine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGb} GB, Node ${report.machine.node}, ${report.machine.platform}, load average at the end ${report.machine.loadAverageAtEnd.join(' / ')} (shared machine). ` +
      `${report.sizes.rounds} round(s) of ${report.sizes.durationSec} s per side, interleaved; medians. Bearer tokens: ${report.authenticated ? 'sent' : 'not sent'}.` +
      (report.topology
        ? ` Command workers: ${report.topology.commandWorkers}, command-api instances: ${report.topology.commandApis}.`
        : ''),
    '',
    '| scenario | metric | value | baseline | ratio | target | met? |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const m of report.measures) {
    lines.push(
      `| ${m.scenario} | ${m.metric} | ${format(m.value, m.unit)} | ${format(m.baseline, m.unit)} | ${m.ratio === null ? '—' : `${m.ratio.toFixed(2)}×`} | ${m.target} | ${m.met === null ? '—' : m.met ? 'yes' : '**no**'} |`,
    );
  }
  lines.push('', '## Notes', '');
  for (const scenario of report.scenarios) {
    lines.push(
      `- **${scenario.scenario}** (${scenario.seconds.toFixed(0)} s)${scenario.error ? `: FAILED: ${scenario.error}` : ''}`,
    );
    for (const note of scenario.notes) lines.push(`  - ${note}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One line of latest.json: what a reader (or a CI gate) compares from run to run. */
export interface ResultRow {
  scenario: string;
  metric: string;
  unit: string;
  value: number | null;
  baseline: number | null;
  ratio: number | null;
  target: string;
  /** Whether the target is met; null when the line has no target (reported only). */
  met: boolean | null;
}

/** The run's summary: when, on what, with which options, and one row per measured line. */
export function toResultJson(report: BenchReport) {
  const finite = (value: number | null) => (value !== null && Number.isFinite(value) ? value : null);
  return {
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    machine: report.machine,
    sizes: report.sizes,
    ...(report.topology ? { topology: report.topology } : {}),
    results: report.measures.map((m): ResultRow => ({
      scenario: m.scenario,
      metric: m.metric,
      unit: m.unit,
      value: finite(m.value),
      baseline: finite(m.baseline),
      ratio: finite(m.ratio),
      target: m.target,
      met: m.met,
    })),
    failed: report.scenarios
      .filter((scenario) => scenario.error)
      .map((s) => ({ scenario: s.scenario, error: s.error })),
  };
}

/**
 * Writes bench/results/<timestamp>.json (everything, rounds included) and <timestamp>.md, then
 * latest.md and latest.json (the committed summary); returns the markdown.
 */
export function writeReport(report: BenchReport, directory: string): { markdown: string; files: string[] } {
  mkdirSync(directory, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const markdown = toMarkdown(report);
  const files = [
    join(directory, `${stamp}.json`),
    join(directory, `${stamp}.md`),
    join(directory, 'latest.md'),
    join(directory, 'latest.json'),
  ];
  writeFileSync(files[0]!, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files[1]!, markdown);
  writeFileSync(files[2]!, markdown);
  writeFileSync(files[3]!, `${JSON.stringify(toResultJson(report), null, 2)}\n`);
  return { markdown, files };
}
