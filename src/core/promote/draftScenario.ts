/**
 * "Promote to scenario": a failing trace (usually from production) becomes the draft of a
 * `*.scenario.yaml`, so the failure turns into a regression test. What the trace tells us is
 * filled in — the prompt (the root span's input) and one expectation per judge that failed on
 * it — and what it cannot tell us is left to the user with comments: the sandbox `setup`
 * (files, env, commands the agent had in production) is unknowable from a trace.
 */
import { Document, isMap, isScalar, type YAMLMap } from 'yaml';
import { finalInput } from '../judges/checks/traceText';
import type { Trace } from '../trace/model';
import type { ModelProposal } from './modelProposal';
import type { FailedJudge } from './failedJudge';

export type { FailedJudge } from './failedJudge';

export interface DraftOptions {
  /** Agent name from costar.yaml. */
  agent: string;
  /** Scenario id (default: promoted-<first 8 hex of the trace id>). */
  id?: string;
  /** What the model proposed (already checked): fills setup and adds expectations. */
  proposal?: ModelProposal;
  /** Folder of the proposal's files, relative to the draft file (default: fixturesFolder(traceId)). */
  fixturesDir?: string;
  /** Why drafting with the model did not work: said in the header comment. */
  modelFailure?: string;
}

const RATIONALE_CHARS = 160;

export function defaultScenarioId(traceId: string): string {
  return `promoted-${traceId.slice(0, 8)}`;
}

/** Where a promoted draft's setup files live, relative to the draft file. */
export function fixturesFolder(traceId: string): string {
  return `fixtures/${defaultScenarioId(traceId)}`;
}

export function draftScenarioFromTrace(trace: Trace, failedVerdicts: readonly FailedJudge[], options: DraftOptions): string {
  const traceId = trace.info.traceId;
  const prompt = finalInput(trace)?.trim();
  const proposal = options.proposal;
  const expectations = uniqueExpectations([...failedVerdicts, ...(proposal?.expectations ?? [])]);
  const fixturesDir = options.fixturesDir ?? fixturesFolder(traceId);
  const setupFiles = Object.fromEntries(Object.keys(proposal?.files ?? {}).map((p) => [p, `${fixturesDir}/${p}`]));
  const touched = trace.artifacts.map((a) => a.path).slice(0, 10);

  const scenario = {
    id: options.id ?? defaultScenarioId(traceId),
    agent: options.agent,
    description: `Promoted from trace ${traceId} (${new Date(trace.info.requestTime).toISOString()})`,
    tags: ['promoted'],
    setup: { files: setupFiles, env: { ...proposal?.env }, commands: [] },
    // The schema needs a prompt; a trace without input gets a placeholder the comment points out.
    prompt: prompt || 'TODO: the trace recorded no input; write the prompt the agent received',
    expectations,
  };
  const doc = new Document({ scenarios: [scenario] });
  doc.commentBefore = [
    ` Draft scenario promoted from trace ${traceId}`,
    ` (open it with "coSTAR: Open Trace" or \`costar trace show ${traceId}\`).`,
    ...(failedVerdicts.length > 0 ? [' Judges that failed on it:'] : [' No judge failed on this trace: add the expectations it should meet.']),
    ...failedVerdicts.map((v) => `   - ${oneLine(v.name ?? v.judge)}: ${oneLine(v.rationale ?? '(no rationale)')}`),
    ...modelLines(options),
    ' Complete setup, check the prompt and expectations, then save it as a *.scenario.yaml.',
  ].join('\n');

  const scenarioNode = doc.getIn(['scenarios', 0], true);
  if (isMap(scenarioNode)) {
    commentAbove(scenarioNode, 'setup', [
      ...(proposal ? [` Setup proposed by the model from trace excerpts (files under ${fixturesDir}/): check it.`] : []),
      ' TODO: what the agent had in production, which a trace does not record:',
      ' files (sandbox path: source relative to this file), env, commands run before the agent.',
      ...(touched.length > 0 ? [` In production it created or changed: ${touched.map(oneLine).join(', ')}`] : []),
    ]);
    if (!prompt) commentAbove(scenarioNode, 'prompt', [' TODO: the trace had no input to take the prompt from.']);
  }
  return doc.toString({ lineWidth: 0 });
}

function modelLines(options: DraftOptions): string[] {
  if (options.modelFailure) return [` Drafting with the model did not work, so this is the plain draft: ${oneLine(options.modelFailure)}`];
  const proposal = options.proposal;
  if (!proposal) return [];
  const counts = `${Object.keys(proposal.files).length} files, ${Object.keys(proposal.env).length} env variables, ${proposal.expectations.length} expectations`;
  return [
    ` Drafted with model ${oneLine(proposal.model)}: ${counts} from trace excerpts.`,
    ...(proposal.dropped.length > 0 ? [' Dropped from its proposal:'] : []),
    ...proposal.dropped.map((reason) => `   - ${oneLine(reason)}`),
  ];
}

/** A comment on the lines above `key:` in a block map. */
function commentAbove(map: YAMLMap, key: string, lines: string[]): void {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = lines.join('\n');
}

/** One expectation per distinct (judge, arguments); the first name given wins. */
function uniqueExpectations(failed: readonly Omit<FailedJudge, 'rationale'>[]): { judge: string; name?: string; with?: Record<string, unknown> }[] {
  const seen = new Set<string>();
  const out: { judge: string; name?: string; with?: Record<string, unknown> }[] = [];
  for (const v of failed) {
    const key = JSON.stringify([v.judge, v.with ?? {}]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      judge: v.judge,
      ...(v.name && v.name !== v.judge ? { name: v.name } : {}),
      ...(v.with && Object.keys(v.with).length > 0 ? { with: v.with } : {}),
    });
  }
  return out;
}

/** Text from a trace or a model put in a YAML comment: one line, bounded. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > RATIONALE_CHARS ? `${flat.slice(0, RATIONALE_CHARS - 1)}…` : flat;
}
