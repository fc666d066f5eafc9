/**
 * Maps the attribute conventions agents actually emit onto the fields of our Span model.
 *
 * Three vocabularies are understood, in this order of precedence:
 *  1. MLflow/coSTAR reserved keys (`mlflow.spanType`, `mlflow.spanInputs`, `mlflow.spanOutputs`,
 *     `mlflow.chat.tokenUsage`, `costar.toolName`): they say exactly what the field is, so they
 *     are consumed (removed from the remaining attributes) and win over everything else.
 *  2. OpenInference (`openinference.span.kind`, `input.value`, `output.value`, `llm.token_count.*`,
 *     `tool.name`, `llm.input_messages.*`, `llm.output_messages.*`).
 *  3. OpenTelemetry GenAI (`gen_ai.operation.name`, `gen_ai.usage.*`, `gen_ai.tool.name`,
 *     `gen_ai.request.model`, `gen_ai.input/output.messages`, `gen_ai.prompt/completion`,
 *     the flattened `gen_ai.prompt.N.*` form, and the message events).
 * OpenInference and GenAI attributes are kept in `attributes` as the agent sent them, so nothing
 * the agent reported is lost and an export carries them on.
 */
import type { Span, SpanEvent, SpanType, TokenUsage } from './model';

export const RESERVED = {
  spanType: 'mlflow.spanType',
  inputs: 'mlflow.spanInputs',
  outputs: 'mlflow.spanOutputs',
  tokenUsage: 'mlflow.chat.tokenUsage',
  requestId: 'mlflow.traceRequestId',
  toolName: 'costar.toolName',
} as const;

export interface SpanSemantics {
  spanType: SpanType;
  inputs?: unknown;
  outputs?: unknown;
  tokens?: TokenUsage;
  toolName?: string;
  /** The attributes that are not reserved keys. */
  attributes: Record<string, unknown>;
}

const SPAN_TYPES: ReadonlySet<string> = new Set<SpanType>([
  'UNKNOWN', 'AGENT', 'CHAIN', 'LLM', 'CHAT_MODEL', 'TOOL', 'RETRIEVER', 'EMBEDDING', 'RERANKER', 'PARSER', 'AGENT_RUN',
]);

// OpenInference span kinds without an MLflow counterpart (GUARDRAIL, EVALUATOR, PROMPT) stay UNKNOWN.
const OPENINFERENCE_KINDS: Record<string, SpanType> = {
  LLM: 'LLM', CHAIN: 'CHAIN', TOOL: 'TOOL', AGENT: 'AGENT', RETRIEVER: 'RETRIEVER', EMBEDDING: 'EMBEDDING', RERANKER: 'RERANKER',
};

const GENAI_OPERATIONS: Record<string, SpanType> = {
  chat: 'CHAT_MODEL',
  text_completion: 'LLM',
  generate_content: 'LLM',
  embeddings: 'EMBEDDING',
  execute_tool: 'TOOL',
  invoke_agent: 'AGENT',
  create_agent: 'AGENT',
};

const GENAI_INPUT_EVENTS: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

export function extractSemantics(raw: Record<string, unknown>, events: SpanEvent[] = []): SpanSemantics {
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!RESERVED_KEYS.has(key)) attributes[key] = value;
  }
  const result: SpanSemantics = { spanType: 'UNKNOWN', attributes };

  const inputs = raw[RESERVED.inputs] ?? openInferenceValue(raw, 'input') ?? messagesFrom(raw, 'llm.input_messages') ?? genAiInputs(raw, events);
  if (inputs !== undefined) result.inputs = inputs;
  const outputs = raw[RESERVED.outputs] ?? openInferenceValue(raw, 'output') ?? messagesFrom(raw, 'llm.output_messages') ?? genAiOutputs(raw, events);
  if (outputs !== undefined) result.outputs = outputs;

  const tokens = tokenUsage(raw);
  if (tokens) result.tokens = tokens;
  const toolName = firstString(raw[RESERVED.toolName], raw['tool.name'], raw['gen_ai.tool.name']);
  if (toolName !== undefined) result.toolName = toolName;

  result.spanType = spanType(raw, result);
  return result;
}

const RESERVED_KEYS: ReadonlySet<string> = new Set(Object.values(RESERVED));

/** The reserved attributes that carry a span's derived fields when it is written out (values not yet encoded). */
export function reservedAttributes(span: Pick<Span, 'spanType' | 'inputs' | 'outputs' | 'tokens' | 'toolName'>): Record<string, unknown> {
  const out: Record<string, unknown> = { [RESERVED.spanType]: span.spanType };
  if (span.inputs !== undefined) out[RESERVED.inputs] = span.inputs;
  if (span.outputs !== undefined) out[RESERVED.outputs] = span.outputs;
  if (span.tokens) {
    out[RESERVED.tokenUsage] = { input_tokens: span.tokens.input, output_tokens: span.tokens.output, total_tokens: span.tokens.total };
  }
  if (span.toolName !== undefined) out[RESERVED.toolName] = span.toolName;
  return out;
}

function spanType(raw: Record<string, unknown>, found: SpanSemantics): SpanType {
  const explicit = raw[RESERVED.spanType];
  if (typeof explicit === 'string' && SPAN_TYPES.has(explicit)) return explicit as SpanType;
  const kind = raw['openinference.span.kind'];
  if (typeof kind === 'string') return OPENINFERENCE_KINDS[kind.toUpperCase()] ?? 'UNKNOWN';
  const operation = raw['gen_ai.operation.name'];
  if (typeof operation === 'string' && GENAI_OPERATIONS[operation]) return GENAI_OPERATIONS[operation]!;
  // No declared kind: infer from what the span carries.
  if (found.toolName !== undefined) return 'TOOL';
  if (found.tokens || raw['gen_ai.request.model'] !== undefined || raw['llm.model_name'] !== undefined) return 'LLM';
  return 'UNKNOWN';
}

function tokenUsage(raw: Record<string, unknown>): TokenUsage | undefined {
  const usage = raw[RESERVED.tokenUsage];
  if (isRecord(usage)) {
    return complete(num(usage.input_tokens), num(usage.output_tokens), num(usage.total_tokens));
  }
  const oi = complete(num(raw['llm.token_count.prompt']), num(raw['llm.token_count.completion']), num(raw['llm.token_count.total']));
  if (oi) return oi;
  return complete(
    num(raw['gen_ai.usage.input_tokens']) ?? num(raw['gen_ai.usage.prompt_tokens']),
    num(raw['gen_ai.usage.output_tokens']) ?? num(raw['gen_ai.usage.completion_tokens']),
    num(raw['gen_ai.usage.total_tokens']),
  );
}

function complete(input: number | undefined, output: number | undefined, total: number | undefined): TokenUsage | undefined {
  if (input === undefined && output === undefined && total === undefined) return undefined;
  const i = input ?? 0;
  const o = output ?? 0;
  return { input: i, output: o, total: total ?? i + o };
}

/** OpenInference `input.value` / `output.value`, parsed when the mime type (or the text) says JSON. */
function openInferenceValue(raw: Record<string, unknown>, prefix: 'input' | 'output'): unknown {
  const value = raw[`${prefix}.value`];
  if (typeof value !== 'string') return value;
  const mime = raw[`${prefix}.mime_type`];
  if (mime === 'application/json' || (mime === undefined && /^\s*[[{]/.test(value))) return parseMaybeJson(value);
  return value;
}

function genAiInputs(raw: Record<string, unknown>, events: SpanEvent[]): unknown {
  const direct = raw['gen_ai.input.messages'] ?? raw['gen_ai.prompt'] ?? raw['gen_ai.tool.call.arguments'];
  if (direct !== undefined) return parseMaybeJson(direct);
  const flattened = messagesFrom(raw, 'gen_ai.prompt');
  if (flattened !== undefined) return flattened;
  const messages: unknown[] = [];
  for (const event of events) {
    const role = GENAI_INPUT_EVENTS[event.name];
    if (role !== undefined) messages.push({ role: event.attributes.role ?? role, content: parseMaybeJson(event.attributes.content) });
    if (event.name === 'gen_ai.content.prompt' && event.attributes['gen_ai.prompt'] !== undefined) {
      return parseMaybeJson(event.attributes['gen_ai.prompt']);
    }
  }
  return messages.length > 0 ? messages : undefined;
}

function genAiOutputs(raw: Record<string, unknown>, events: SpanEvent[]): unknown {
  const direct = raw['gen_ai.output.messages'] ?? raw['gen_ai.completion'] ?? raw['gen_ai.tool.call.result'];
  if (direct !== undefined) return parseMaybeJson(direct);
  const flattened = messagesFrom(raw, 'gen_ai.completion');
  if (flattened !== undefined) return flattened;
  const choices: unknown[] = [];
  for (const event of events) {
    if (event.name === 'gen_ai.choice') choices.push(parseMaybeJson(event.attributes.message ?? event.attributes));
    if (event.name === 'gen_ai.content.completion' && event.attributes['gen_ai.completion'] !== undefined) {
      return parseMaybeJson(event.attributes['gen_ai.completion']);
    }
  }
  return choices.length > 0 ? choices : undefined;
}

/**
 * Rebuilds the flattened list form (`<prefix>.0.message.role`, `<prefix>.0.role`, …) into an
 * array of objects; OpenInference nests each entry under `message`, which is unwrapped.
 */
function messagesFrom(raw: Record<string, unknown>, prefix: string): unknown[] | undefined {
  const start = `${prefix}.`;
  let list: Record<string, unknown>[] | undefined;
  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith(start)) continue;
    const match = /^(\d+)\.(.+)$/.exec(key.slice(start.length));
    if (!match) continue;
    list ??= [];
    const entry = (list[Number(match[1])] ??= {});
    setPath(entry, match[2]!.replace(/^message\./, '').split('.'), value);
  }
  return list?.filter((entry) => entry !== undefined);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    node = isRecord(next) ? next : (node[part] = {});
  }
  node[path[path.length - 1]!] = value;
}

function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v !== '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
