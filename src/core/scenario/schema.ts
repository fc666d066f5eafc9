/**
 * The zod schemas of the files users commit: `costar.yaml` and `*.scenario.yaml`.
 * They are the single source of truth: TypeScript types, runtime validation and the
 * published JSON Schemas (schemas/*.json, see scripts/generate-schemas.ts) all come from here.
 */
import { z } from 'zod';
import { Duration } from '../util/duration';
import { JudgeFile } from '../judges/judgeFile';
import { nulProblem } from './prompt';

export { Duration };

const Identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected an id of letters, digits, ".", "_" or "-" (starting with a letter or digit)');

const EnvName = z.string().regex(/^[^=\0]+$/, 'expected an environment variable name (no "=", no NUL)');
const EnvMap = z.record(
  EnvName,
  z
    .union([z.string(), z.number(), z.boolean()])
    .transform(String)
    .superRefine((value, ctx) => {
      const problem = nulProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
);
/** Names of variables of the calling environment handed to the agent; a trailing * matches a prefix. */
const PassEnv = z
  .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/, 'expected a variable name such as MY_TOKEN, or a prefix such as MY_APP_*'))
  .optional();

/** Placeholder for the debugger's port in an agent's `debug` argv and configuration. */
export const DEBUG_PORT_PLACEHOLDER = '{port}';

export const DebugConfig = z
  .strictObject({
    command: z
      .array(z.string().min(1))
      .min(1, 'expected the command that starts the agent under its debugger, as an argv list')
      .refine((argv) => argv.some((arg) => arg.includes(DEBUG_PORT_PLACEHOLDER)), {
        message: `expected ${DEBUG_PORT_PLACEHOLDER} in one of the arguments: the harness puts the debugger's port there, e.g. [dlv, exec, ./agent, --headless, '--listen=127.0.0.1:${DEBUG_PORT_PLACEHOLDER}']`,
      })
      .meta({ description: `The agent command under its debugger (no shell), listening on 127.0.0.1:${DEBUG_PORT_PLACEHOLDER}; the harness picks a free port.` }),
    configuration: z
      .looseObject({
        type: z.string().min(1, 'expected the debugger type VS Code attaches with, e.g. go'),
        request: z.literal('attach', { message: 'expected request: attach (the harness starts the agent; VS Code attaches to it)' }).default('attach'),
      })
      .meta({ description: `The VS Code debug configuration that attaches to it (type, request: attach, and the debugger's own fields); ${DEBUG_PORT_PLACEHOLDER}, \${sandbox} and \${workspaceFolder} are substituted in its strings.` }),
  })
  .meta({ description: 'How the Debug profile starts this agent when it is neither Node nor Python (see docs/debugging.md).' });

export const AgentConfig = z
  .strictObject({
    command: z
      .array(z.string().min(1))
      .min(1, 'expected the agent command as an argv list, e.g. [node, agents/my-agent/main.mjs]')
      .meta({ description: 'The agent command as an argv list (no shell). Arguments naming files relative to the workspace root are resolved to absolute paths.' }),
    source: z.array(z.string().min(1)).default([]).meta({ description: 'Folders (relative to the workspace root) that Refine may edit.' }),
    env: EnvMap.default({}).meta({ description: 'Environment variables for the agent (no secrets: use the process environment).' }),
    passEnv: PassEnv.meta({ description: 'Variables of the calling environment the agent may see, besides the basic ones (PATH, HOME, LANG…; see docs/security.md). A trailing * matches a prefix.' }),
    description: z.string().optional(),
    debug: DebugConfig.optional(),
  })
  .meta({ description: 'An agent under test.' });

export const ModelConfig = z.strictObject({
  baseUrl: z.string().optional().meta({ description: 'OpenAI-compatible endpoint base URL, e.g. http://localhost:11434/v1' }),
  model: z.string().optional().meta({ description: 'Model name sent to the endpoint.' }),
  apiKeyEnv: z.string().default('OPENAI_API_KEY').meta({ description: 'Name of the environment variable that holds the API key (never the key itself).' }),
  maxConcurrency: z.number().int().positive().default(4),
  timeout: Duration.optional(),
});

export const Defaults = z.strictObject({
  timeout: Duration.default(60_000),
  concurrency: z.number().int().min(1).max(256).default(4),
  repeat: z.number().int().min(1).max(1000).default(1),
  maxSpanMiB: z
    .number()
    .positive()
    .max(4096)
    .default(64)
    .meta({ description: 'Span data (MiB, after decompression) the harness accepts from one attempt over OTLP; later batches are dropped, counted and reported.' }),
});

export const AssistantsConfig = z
  .strictObject({
    holdoutTags: z
      .array(Identifier)
      .default(['holdout'])
      .meta({
        description:
          'Scenarios with one of these tags are never shown to a coding assistant (Refine, `costar mcp`, editor tools); they are re-run after every accepted change as the generalization check.',
      }),
  })
  .meta({ description: 'What coding assistants (Refine, MCP clients, editor chat tools) may see.' });

export const SandboxConfig = z
  .strictObject({
    outsideWrites: z
      .enum(['error', 'warn'])
      .default('error')
      .meta({ description: 'Workspace files (outside .costar/, .git/, node_modules/) created, changed or deleted while an agent ran: error (default) makes the attempt an error; warn only reports them.' }),
    network: z
      .enum(['shared', 'none'])
      .default('shared')
      .meta({ description: "With isolation: bubblewrap: 'none' gives the agent no network at all (not even the harness's OTLP receiver: report traces through COSTAR_TRACE_FILE)." }),
  })
  .meta({ description: 'What the agent may do outside its sandbox (see docs/isolation.md).' });

export const WorkspaceConfig = z
  .strictObject({
    agents: z.record(Identifier, AgentConfig).default({}),
    model: ModelConfig.optional(),
    judges: z
      .union([z.string(), z.array(z.union([z.string(), JudgeFile]))])
      .optional()
      .meta({
        description:
          'Where judges come from: folders holding *.judge.yaml files (default: judges), and/or judge definitions written inline (objects with the fields of a judge file).',
      }),
    defaults: Defaults.default({ timeout: 60_000, concurrency: 4, repeat: 1, maxSpanMiB: 64 }),
    scenarios: z
      .array(z.string())
      .optional()
      .meta({ description: 'Folders to search for *.scenario.yaml (default: the whole workspace, skipping node_modules and .costar).' }),
    assistants: AssistantsConfig.default({ holdoutTags: ['holdout'] }),
    isolation: z
      .enum(['none', 'bubblewrap'])
      .default('none')
      .meta({ description: 'bubblewrap: run agents under bwrap (Linux) with the whole file system read-only except their attempt folder (sandbox, trace file, TMPDIR); an error when bwrap is missing or cannot run, never a silent fallback (see docs/isolation.md).' }),
    sandbox: SandboxConfig.default({ outsideWrites: 'error', network: 'shared' }),
  })
  .superRefine((config, ctx) => {
    if (config.sandbox.network === 'none' && config.isolation !== 'bubblewrap') {
      ctx.addIssue({ code: 'custom', path: ['sandbox', 'network'], message: 'network: none needs isolation: bubblewrap (without it nothing can take the network away from the agent)' });
    }
  })
  .meta({ title: 'coSTAR workspace (costar.yaml)' });

export const Expectation = z.strictObject({
  judge: Identifier.meta({ description: 'Id of a built-in check or a judge defined in the judges folder.' }),
  with: z.record(z.string(), z.unknown()).default({}).meta({ description: 'Arguments for the judge.' }),
  guidelines: z.union([z.string(), z.array(z.string())]).optional().meta({ description: 'Per-scenario guidelines for model-based judges.' }),
  name: z.string().optional().meta({ description: 'Display name (default: the judge id).' }),
  timeout: Duration.optional().meta({ description: "How long this judge may take for this expectation (default: the judge file's timeout, else 30s for checks and modules, 2m for llm, 5m for agentic judges). Exceeding it is an error verdict." }),
});

export const PassRule = z.union([
  z.literal('all'),
  z.strictObject({ at_least: z.number().int().min(1) }),
  z.strictObject({ rate: z.number().min(0).max(1) }),
]);

export const Setup = z.strictObject({
  files: z
    .record(z.string(), z.string())
    .default({})
    .meta({ description: 'Sandbox path → source path (relative to this scenario file). Folders are copied recursively.' }),
  env: EnvMap.default({}),
  passEnv: PassEnv.meta({ description: 'Variables of the calling environment this scenario\'s agent and setup commands may see, in addition to the agent\'s passEnv.' }),
  commands: z
    .array(z.union([z.string(), z.array(z.string()).min(1)]))
    .default([])
    .meta({ description: 'Commands run in the sandbox before the agent: an argv list, or a string run by /bin/sh.' }),
});

export const Scenario = z.strictObject({
  id: Identifier,
  agent: Identifier.optional().meta({ description: 'Agent name from costar.yaml (may be omitted when there is only one).' }),
  description: z.string().optional(),
  tags: z.array(Identifier).default([]),
  setup: Setup.default({ files: {}, env: {}, commands: [] }),
  prompt: z
    .string()
    .min(1, 'expected a non-empty prompt')
    .superRefine((prompt, ctx) => {
      const problem = nulProblem(prompt);
      if (problem) ctx.addIssue({ code: 'custom', message: `the prompt ${problem}` });
    }),
  expectations: z.array(Expectation).default([]),
  timeout: Duration.optional(),
  repeat: z.number().int().min(1).max(1000).optional(),
  pass: PassRule.default('all').meta({ description: 'With repeat > 1: how many attempts must pass.' }),
});

export const ScenarioFile = z
  .strictObject({
    scenarios: z.array(Scenario).min(1, 'expected at least one scenario'),
  })
  .meta({ title: 'coSTAR scenarios (*.scenario.yaml)' });

export type WorkspaceConfig = z.output<typeof WorkspaceConfig>;
export type AgentConfig = z.output<typeof AgentConfig>;
export type DebugConfig = z.output<typeof DebugConfig>;
export type ScenarioDef = z.output<typeof Scenario>;
export type ExpectationDef = z.output<typeof Expectation>;
export type PassRuleDef = z.output<typeof PassRule>;
