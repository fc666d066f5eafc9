/**
 * Gathers the queue's signals for stored traces: the judge sampled several times (with its
 * stated confidence) and the outcomes all judges gave in the newest report holding the trace.
 * Sampling is opt-in (it costs n model calls per trace); report outcomes are free.
 */
import { z } from 'zod';
import type { JudgeFileDef } from '../judges/judgeFile';
import { LLM_JUDGE_SYSTEM_PROMPT } from '../judges/llmJudge';
import { renderTemplate, templateValues } from '../judges/template';
import { describeValueType } from '../judges/verdictFormat';
import { mapLimited } from '../util/limiter';
import type { ModelClient } from '../llm/types';
import { listRunIds, loadReportOrSkip } from '../run/runStore';
import type { Outcome } from '../judges/types';
import { isRated } from './judgeVerdicts';
import type { RatedValue } from './kappa';
import { rankQueue, type QueueItem, type QueueSignals } from './queue';
import type { TraceCase } from './traceCase';
import type { SkippedFile } from '../util/files';

export interface SampleResult {
  samples: RatedValue[];
  confidence?: number;
}

const SampleReply = z.object({ value: z.unknown(), rationale: z.string(), confidence: z.number().min(0).max(1) });

/** Asks the judge `n` times per trace at temperature 1 (never cached: the point is the spread). */
export async function sampleJudge(def: JudgeFileDef, cases: readonly TraceCase[], model: ModelClient, n: number, signal?: AbortSignal): Promise<Map<string, SampleResult>> {
  const schema = {
    type: 'object',
    properties: { value: {}, rationale: { type: 'string' }, confidence: { type: 'number', minimum: 0, maximum: 1 } },
    required: ['value', 'rationale', 'confidence'],
    additionalProperties: false,
  };
  const results = new Map<string, SampleResult>();
  await mapLimited([...cases], 4, async (c) => {
    const prompt = renderTemplate(def.instructions ?? '', templateValues(c.trace, c.scenario, c.expectation));
    const samples: RatedValue[] = [];
    const confidences: number[] = [];
    for (let i = 0; i < n; i++) {
      try {
        const reply = await model.chat(
          {
            messages: [
              { role: 'system', content: `${LLM_JUDGE_SYSTEM_PROMPT}\n${describeValueType(def.value)}. Also give "confidence": how sure you are of the value, from 0 to 1.` },
              { role: 'user', content: prompt },
            ],
            responseFormat: { name: 'judge_verdict_sample', schema },
            temperature: 1,
            ...(def.model ? { model: def.model } : {}),
          },
          signal ? { signal } : {},
        );
        const parsed = SampleReply.safeParse(JSON.parse(reply.content ?? ''));
        if (parsed.success && isRated(parsed.data.value)) {
          samples.push(parsed.data.value);
          confidences.push(parsed.data.confidence);
        }
      } catch {
        // A failed sample is just missing: the queue is a hint, not a verdict.
      }
    }
    const result: SampleResult = { samples };
    if (confidences.length > 0) result.confidence = confidences.reduce((s, v) => s + v, 0) / confidences.length;
    results.set(c.trace.info.traceId, result);
  });
  return results;
}

/** For each trace, the outcomes of every judge in the newest report that judged it. */
export async function judgeOutcomes(workspaceDir: string, traceIds: ReadonlySet<string>, skipped: SkippedFile[] = []): Promise<Map<string, { judgeId: string; outcome: Outcome }[]>> {
  const found = new Map<string, { judgeId: string; outcome: Outcome }[]>();
  for (const runId of (await listRunIds(workspaceDir)).reverse()) {
    if (found.size === traceIds.size) break;
    const report = await loadReportOrSkip(workspaceDir, runId, skipped);
    if (!report) continue;
    for (const scenario of report.scenarios) {
      for (const attempt of scenario.attempts) {
        if (!attempt.traceId || !traceIds.has(attempt.traceId) || found.has(attempt.traceId)) continue;
        found.set(attempt.traceId, attempt.verdicts.map((v) => ({ judgeId: v.judge, outcome: v.outcome })));
      }
    }
  }
  return found;
}

export interface BuildQueueOptions {
  workspaceDir: string;
  def?: JudgeFileDef;
  /** Traces to order (usually the stored traces this labeller has not labelled for this judge). */
  cases: readonly TraceCase[];
  model?: ModelClient;
  /** Samples per trace; 0 or no model: no sampling. */
  samples?: number;
  signal?: AbortSignal;
}

export async function buildQueue(options: BuildQueueOptions): Promise<QueueItem[]> {
  const ids = new Set(options.cases.map((c) => c.trace.info.traceId));
  const outcomes = await judgeOutcomes(options.workspaceDir, ids);
  const sampled = options.model && options.def?.instructions && (options.samples ?? 0) >= 2 ? await sampleJudge(options.def, options.cases, options.model, options.samples!, options.signal) : new Map<string, SampleResult>();
  const signals: QueueSignals[] = options.cases.map((c) => {
    const traceId = c.trace.info.traceId;
    const s: QueueSignals = { traceId, time: c.trace.info.requestTime };
    const sample = sampled.get(traceId);
    if (sample) {
      s.samples = sample.samples;
      if (sample.confidence !== undefined) s.confidence = sample.confidence;
    }
    const o = outcomes.get(traceId);
    if (o) s.judgeOutcomes = o;
    return s;
  });
  return rankQueue(signals);
}
