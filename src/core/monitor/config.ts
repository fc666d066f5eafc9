/**
 * `costar.monitor.yaml` at the workspace root: which judges score production traces, at what
 * sampling rate and on which traces, the time window of the pass-rate series and the alert
 * rules. A file of its own (not a section of costar.yaml) so that monitoring can be set up
 * and changed by the people who run production without touching the test suite's config.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Duration } from '../scenario/schema';
import { validateYaml, type Problem } from '../scenario/yamlSource';
import { METRIC_NAMES } from '../judges/metrics';
import { escapeFileName } from '../scenario/yamlSource';

export const MONITOR_FILE_NAME = 'costar.monitor.yaml';

const StringMap = z.record(z.string(), z.string());

export const TraceFilter = z
  .strictObject({
    metadata: StringMap.optional().meta({ description: 'Trace metadata entries that must all be equal.' }),
    tags: StringMap.optional().meta({ description: 'Trace tags that must all be equal.' }),
    rootSpan: z.string().optional().meta({ description: 'Name of the root span (the entry point), e.g. "chat".' }),
  })
  .meta({ description: 'Only traces matching every given field are scored by this judge.' });

export const MonitorJudge = z.strictObject({
  judge: z.string().min(1).meta({ description: 'A judge id: a built-in check (contains, regex, tool-sequence, …) or the id of a judge file (check, module, metric, llm, agentic).' }),
  name: z.string().min(1).optional().meta({ description: 'Name in reports and alerts (default: the judge id); unique.' }),
  with: z.record(z.string(), z.unknown()).default({}).meta({ description: 'Arguments for the judge, as in a scenario expectation.' }),
  rate: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .meta({ description: 'Fraction of traces scored (0..1). Decided by trace-id hash: a judge at 0.5 sees every trace a judge at 0.1 sees.' }),
  filter: TraceFilter.optional(),
});

export const MonitorConfig = z
  .strictObject({
    window: Duration.default(86_400_000).meta({ description: 'Width of a time window of the pass-rate series (default 1d = 24h).' }),
    baseline: z.number().int().min(1).default(7).meta({ description: 'How many preceding windows form the baseline of a window.' }),
    minSamples: z.number().int().min(1).default(30).meta({ description: 'A window with fewer judged traces never alerts (too little evidence).' }),
    confidence: z.union([z.literal(0.9), z.literal(0.95), z.literal(0.99)]).default(0.95).meta({ description: 'Confidence of the Wilson intervals.' }),
    metricFactor: z.number().min(1).default(2).meta({ description: 'Alert when a window\'s median metric is this many times its baseline median.' }),
    metrics: z.array(z.enum(METRIC_NAMES)).default(['totalTokens', 'toolCalls', 'latencyMs']),
    judges: z.array(MonitorJudge).default([]),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.judges.forEach((j, i) => {
      const name = j.name ?? j.judge;
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['judges', i, 'name'], message: `"${name}" is already the name of judges[${seen.get(name)}]; give each a unique name:` });
      seen.set(name, i);
    });
  })
  .meta({ title: 'coSTAR production monitoring (costar.monitor.yaml)' });

export type MonitorConfig = z.output<typeof MonitorConfig>;
export type MonitorJudge = z.output<typeof MonitorJudge>;
export type TraceFilter = z.output<typeof TraceFilter>;

export function judgeName(judge: MonitorJudge): string {
  return judge.name ?? judge.judge;
}

export class MonitorConfigError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => `${escapeFileName(p.file)}:${p.line}:${p.column}: ${p.message}`).join('\n'));
  }
}

/** The monitoring config of a workspace; defaults (no judges) when the file does not exist. */
export async function loadMonitorConfig(workspaceDir: string): Promise<MonitorConfig> {
  const file = path.join(workspaceDir, MONITOR_FILE_NAME);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return MonitorConfig.parse({});
    throw error;
  }
  return parseMonitorConfig(text, file);
}

export function parseMonitorConfig(text: string, file: string): MonitorConfig {
  // An empty file means "all defaults", as an absent one does.
  const result = validateYaml(text.trim() === '' ? '{}' : text, file, MonitorConfig);
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0 || !result.value) throw new MonitorConfigError(errors);
  return result.value;
}
