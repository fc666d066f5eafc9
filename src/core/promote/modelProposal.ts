/**
 * "Draft with model": the configured model proposes the parts of a promoted scenario a trace
 * does not record — the files and environment the agent had (`setup`) — and expectations that
 * would catch the failure, from trace excerpts only. Everything it proposes is checked here
 * item by item; an item that fails a check is dropped with the reason, so a bad proposal
 * costs the user a comment to read, never a draft that does not load.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { describeArgIssues } from '../judges/checks/check';
import { BUILTIN_CHECKS } from '../judges/checks/index';
import type { JudgeCatalog } from '../judges/catalog';
import type { ModelClient } from '../llm/types';
import { sandboxPathError } from '../scenario/load';
import type { TraceExcerpts } from './traceExcerpts';
import { COSTAR_DIR } from '../layout';

const MAX_FILES = 20;
const MAX_FILE_CHARS = 64 * 1024;
const MAX_ENV_VALUE_CHARS = 4096;
const MAX_EXPECTATIONS = 10;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Checks that run code: the model's code would run on the user's machine, so the user writes those. */
const CODE_RUNNING_CHECKS = new Set(['command', 'module']);

// Strict structured outputs need every property required and no free-form objects, hence
// `withJson` (the arguments as JSON text) and empty strings for "no name".
const ModelAnswer = z.strictObject({
  files: z.array(z.strictObject({ path: z.string(), content: z.string() })).describe('Files to create in the sandbox before the agent runs, with their full content.'),
  env: z.array(z.strictObject({ name: z.string(), value: z.string() })).describe('Environment variables the agent needs.'),
  expectations: z
    .array(z.strictObject({ judge: z.string(), name: z.string(), withJson: z.string() }))
    .describe('Expectations that would catch the failure: a judge id, a display name ("" for none), its arguments as a JSON object text ("{}" for none).'),
});
type ModelAnswer = z.infer<typeof ModelAnswer>;

const ANSWER_SCHEMA = (() => {
  const schema = z.toJSONSchema(ModelAnswer) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
})();

export interface ProposedExpectation {
  judge: string;
  name?: string;
  with?: Record<string, unknown>;
}

/** The checked proposal: what survived, and why the rest was dropped. */
export interface ModelProposal {
  model: string;
  /** Sandbox path → content. */
  files: Record<string, string>;
  env: Record<string, string>;
  expectations: ProposedExpectation[];
  dropped: string[];
}

/** Asks the model; throws ModelError when it cannot answer in the expected shape. */
export async function proposeWithModel(client: ModelClient, excerpts: TraceExcerpts, catalog: JudgeCatalog, signal?: AbortSignal): Promise<ModelProposal> {
  const reply = await client.chat(
    {
      messages: [
        { role: 'system', content: systemPrompt(catalog) },
        { role: 'user', content: `Excerpts of the failing trace (JSON):\n${JSON.stringify(excerpts, null, 1)}` },
      ],
      responseFormat: { name: 'promoted_scenario', schema: ANSWER_SCHEMA },
      temperature: 0,
    },
    { ...(signal ? { signal } : {}), validate: (r) => answerProblem(r.content) },
  );
  return siftAnswer(ModelAnswer.parse(JSON.parse(reply.content!)), reply.model, catalog);
}

function answerProblem(content: string | null): string | undefined {
  if (!content) return 'the reply has no content';
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return 'the reply is not JSON';
  }
  const parsed = ModelAnswer.safeParse(json);
  return parsed.success ? undefined : `the reply does not follow the schema: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`;
}

function systemPrompt(catalog: JudgeCatalog): string {
  const judges = catalog
    .all()
    .filter((j) => !CODE_RUNNING_CHECKS.has(j.id))
    .map((j) => `- ${j.id} (${j.kind}): ${j.description}`.trimEnd());
  return [
    'You turn a failing trace of an AI agent into a regression-test scenario.',
    'The scenario runs the agent in an empty sandbox folder with the same prompt. Propose:',
    '1. files: the input files the agent needed (paths relative to the sandbox, e.g. data/input.csv) with small but realistic content that reproduces the failure. Do not include files the agent itself created.',
    '2. env: environment variables the agent needed (no secrets).',
    '3. expectations: checks that pass only when the agent behaves correctly. Use only these judges:',
    ...judges,
    'Answer with JSON only.',
  ].join('\n');
}

/** Keeps what is valid, in order; each dropped item gets one line saying what and why. */
export function siftAnswer(answer: ModelAnswer, model: string, catalog: JudgeCatalog): ModelProposal {
  const proposal: ModelProposal = { model, files: {}, env: {}, expectations: [], dropped: [] };
  for (const file of answer.files) {
    const problem = filePathProblem(file.path) ?? (file.content.length > MAX_FILE_CHARS ? `its content is over ${MAX_FILE_CHARS} characters` : undefined);
    const sandboxPath = path.posix.normalize(file.path.replace(/\\/g, '/'));
    if (problem) proposal.dropped.push(`file ${JSON.stringify(file.path)}: ${problem}`);
    else if (sandboxPath in proposal.files) proposal.dropped.push(`file ${JSON.stringify(file.path)}: proposed twice; the first is kept`);
    else if (Object.keys(proposal.files).length >= MAX_FILES) proposal.dropped.push(`file ${JSON.stringify(file.path)}: more than ${MAX_FILES} files`);
    else proposal.files[sandboxPath] = file.content;
  }
  for (const variable of answer.env) {
    if (!ENV_NAME.test(variable.name)) proposal.dropped.push(`env ${JSON.stringify(variable.name)}: not a variable name (letters, digits, _; not starting with a digit)`);
    else if (variable.value.length > MAX_ENV_VALUE_CHARS) proposal.dropped.push(`env ${variable.name}: its value is over ${MAX_ENV_VALUE_CHARS} characters`);
    else if (variable.name in proposal.env) proposal.dropped.push(`env ${variable.name}: proposed twice; the first is kept`);
    else proposal.env[variable.name] = variable.value;
  }
  for (const proposed of answer.expectations) {
    const label = `expectation ${JSON.stringify(proposed.name || proposed.judge)}`;
    const checked = checkExpectation(proposed, catalog);
    if (typeof checked === 'string') proposal.dropped.push(`${label}: ${checked}`);
    else if (proposal.expectations.length >= MAX_EXPECTATIONS) proposal.dropped.push(`${label}: more than ${MAX_EXPECTATIONS} expectations`);
    else proposal.expectations.push(checked);
  }
  return proposal;
}

function filePathProblem(sandboxPath: string): string | undefined {
  const error = sandboxPathError(sandboxPath);
  if (error) return error;
  const normal = path.posix.normalize(sandboxPath.replace(/\\/g, '/'));
  if (normal === '.' || normal.endsWith('/')) return 'names a folder, not a file';
  if (normal.split('/').some((part) => part === COSTAR_DIR)) return `is inside ${COSTAR_DIR}, which coSTAR owns`;
  // The fixtures folder is inside the workspace, where coSTAR discovers these by name.
  if (/\.(scenario|judge)\.ya?ml$/.test(normal)) return 'coSTAR would discover it in the fixtures folder as a scenario or judge file';
  return undefined;
}

function checkExpectation(proposed: ModelAnswer['expectations'][number], catalog: JudgeCatalog): ProposedExpectation | string {
  if (CODE_RUNNING_CHECKS.has(proposed.judge)) return `the ${proposed.judge} check runs code; write it yourself if you want it`;
  if (!catalog.get(proposed.judge)) return `unknown judge "${proposed.judge}" (not a built-in check nor in the judges folder)`;
  let args: unknown;
  try {
    args = JSON.parse(proposed.withJson.trim() || '{}');
  } catch {
    return `its arguments are not JSON: ${proposed.withJson.slice(0, 80)}`;
  }
  if (!args || typeof args !== 'object' || Array.isArray(args)) return 'its arguments are not a JSON object';
  const check = BUILTIN_CHECKS.get(proposed.judge);
  if (check) {
    const parsed = check.args.safeParse(args);
    if (!parsed.success) return `wrong arguments: ${describeArgIssues(parsed.error).join('; ')}`;
  }
  const withArgs = args as Record<string, unknown>;
  return {
    judge: proposed.judge,
    ...(proposed.name.trim() ? { name: proposed.name.trim() } : {}),
    ...(Object.keys(withArgs).length > 0 ? { with: withArgs } : {}),
  };
}
