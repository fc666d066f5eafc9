/**
 * MLflow-style judge instructions: `{{ inputs }}`, `{{ outputs }}`, `{{ expectations }}` and
 * `{{ trace }}`. The first three are replaced by text; `{{ trace }}` never is — the trace is
 * too big for a prompt — it becomes a pointer to the trace tools of an agentic judge.
 */
import type { ExpectationDef, ScenarioDef } from '../scenario/schema';
import type { Trace } from '../trace/model';
import { finalOutput } from './checks/traceText';

export const TEMPLATE_VARIABLES = ['inputs', 'outputs', 'expectations', 'trace'] as const;
const VARIABLE = /\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g;

/** Artifacts shown to an LLM judge in `{{ outputs }}`, so outcome judges can see what was produced. */
const ARTIFACT_TEXT_CAP = 4_000;
const ARTIFACTS_TOTAL_CAP = 20_000;

export function usesTrace(instructions: string): boolean {
  return [...instructions.matchAll(VARIABLE)].some((m) => m[1] === 'trace');
}

export function unknownVariables(instructions: string): string[] {
  return [...instructions.matchAll(VARIABLE)].map((m) => m[1]!).filter((name) => !(TEMPLATE_VARIABLES as readonly string[]).includes(name));
}

export interface TemplateValues {
  inputs: string;
  outputs: string;
  expectations: string;
  trace: string;
}

export function templateValues(trace: Trace, scenario: ScenarioDef, expectation: ExpectationDef): TemplateValues {
  return {
    inputs: scenario.prompt,
    outputs: outputsText(trace),
    expectations: expectationsText(expectation),
    trace: `the trace ${trace.info.traceId} (${trace.spans.length} spans, ${trace.artifacts.length} artifacts), which you can inspect only through your tools`,
  };
}

export function renderTemplate(instructions: string, values: TemplateValues): string {
  return instructions.replace(VARIABLE, (whole, name: string) => (name in values ? values[name as keyof TemplateValues] : whole));
}

function outputsText(trace: Trace): string {
  const parts = [finalOutput(trace) ?? '(the agent produced no final output)'];
  let budget = ARTIFACTS_TOTAL_CAP;
  const shown = trace.artifacts.filter((a) => a.change !== 'deleted');
  for (const artifact of shown) {
    if (artifact.text === undefined) {
      parts.push(`--- file ${artifact.path} (${artifact.change}, ${artifact.size} bytes, content not recorded)`);
      continue;
    }
    const text = artifact.text.length > Math.min(ARTIFACT_TEXT_CAP, budget) ? `${artifact.text.slice(0, Math.min(ARTIFACT_TEXT_CAP, budget))}\n[… truncated]` : artifact.text;
    budget -= Math.min(artifact.text.length, ARTIFACT_TEXT_CAP);
    parts.push(`--- file ${artifact.path} (${artifact.change})\n${text}`);
    if (budget <= 0) {
      parts.push(`[… ${shown.length - parts.length + 1} more files not shown]`);
      break;
    }
  }
  return parts.join('\n\n');
}

function expectationsText(expectation: ExpectationDef): string {
  const lines: string[] = [];
  const given = expectation.with.expectations ?? expectation.with.expected;
  if (given !== undefined) lines.push(typeof given === 'string' ? given : JSON.stringify(given, null, 2));
  const guidelines = expectation.guidelines === undefined ? [] : Array.isArray(expectation.guidelines) ? expectation.guidelines : [expectation.guidelines];
  if (guidelines.length > 0) lines.push(`Guidelines:\n${guidelines.map((g) => `- ${g}`).join('\n')}`);
  return lines.length > 0 ? lines.join('\n\n') : '(no specific expectations)';
}
