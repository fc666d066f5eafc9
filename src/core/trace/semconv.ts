/**
 * Maps the attribute conventions agents actually emit onto the fields of our Span model, so a
 * trace reads in coSTAR as it does in MLflow (whose translators, mlflow/tracing/otel/translation,
 * are the reference: same keys, same order, same span types).
 *
 * Precedence:
 *  1. MLflow/coSTAR reserved keys (`mlflow.spanType`, `mlflow.spanInputs`, `mlflow.spanOutputs`,
 *     `mlflow.chat.tokenUsage`, `mlflow.llm.model`, `costar.toolName`, `costar.otel.*`): they say
 *     exactly what the field is, so they are consumed (removed from the remaining attributes) and
 *     win over everything else. A span type is kept as written, whatever string it is.
 *  2. The conventions, in MLflow's order: OpenInference, OpenTelemetry GenAI, Traceloop/OpenLLMetry,
 *     Vercel AI SDK. The first that has a value for a field supplies it.
 *  3. Inference when no convention declared a kind: a tool name means TOOL, a model or token usage
 *     means LLM.
 * Convention attributes are kept in `attributes` as the agent sent them, so nothing the agent
 * reported is lost and an export carries them on (MLflow re-derives from them itself).
 */
import type { Span, SpanEvent, SpanType, TokenUsage } from './model';
import { getOwn, setOwn } from '../util/ownRecord';

export const RESERVED = {
  spanType: 'mlflow.spanType',
  inputs: 'mlflow.spanInputs',
  outputs: 'mlflow.spanOutputs',
  tokenUsage: 'mlflow.chat.tokenUsage',
  model: 'mlflow.llm.model',
  requestId: 'mlflow.traceRequestId',
  toolName: 'costar.toolName',
  kind: 'costar.otel.kind',
  scope: 'costar.otel.scope',
  resource: 'costar.otel.resource',
} as const;

export interface SpanSemantics {
  spanType: SpanType;
  inputs?: unknown;
  outputs?: unknown;
  tokens?: TokenUsage;
  toolName?: string;
  model?: string;
  /** The attributes that are not reserved keys. */
  attributes: Record<string, unknown>;
}

interface Convention {
  /** The attribute that declares the span's kind, and what its values mean. */
  kindKey: string;
  kinds: Record<string, SpanType>;
  /** A declared kind the table lacks is kept (upper-cased) rather than dropped to UNKNOWN. */
  keepUnmappedKinds: boolean;
  inputKeys: string[];
  outputKeys: string[];
  inputTokenKeys: string[];
  outputTokenKeys: string[];
  totalTokenKeys: string[];
  modelKeys: string[];
  /** Keys naming the tool; `onlyForTools` when the key names other entities too. */
  toolNameKeys: string[];
  toolNameOnlyForTools?: boolean;
  /** Convention-specific readers tried before the key lists. */
  inputs?(raw: Record<string, unknown>, events: SpanEvent[]): unknown;
  outputs?(raw: Record<string, unknown>, events: SpanEvent[]): unknown;
}

const OPENINFERENCE: Convention = {
  kindKey: 'openinference.span.kind',
  kinds: {
    LLM: 'LLM', CHAIN: 'CHAIN', TOOL: 'TOOL', AGENT: 'AGENT', RETRIEVER: 'RETRIEVER', EMBEDDING: 'EMBEDDING',
    RERANKER: 'RERANKER', GUARDRAIL: 'GUARDRAIL', EVALUATOR: 'EVALUATOR', UNKNOWN: 'UNKNOWN',
  },
  keepUnmappedKinds: true,
  inputKeys: ['input.value'],
  outputKeys: ['output.value'],
  inputTokenKeys: ['llm.token_count.prompt'],
  outputTokenKeys: ['llm.token_count.completion'],
  totalTokenKeys: ['llm.token_count.total'],
  modelKeys: ['llm.response.model_name', 'llm.model_name', 'llm.request.model_name', 'embedding.model_name'],
  toolNameKeys: ['tool.name'],
  inputs: (raw) => openInferenceValue(raw, 'input') ?? messagesFrom(raw, 'llm.input_messages'),
  outputs: (raw) => openInferenceValue(raw, 'output') ?? messagesFrom(raw, 'llm.output_messages'),
};

const GENAI: Convention = {
  kindKey: 'gen_ai.operation.name',
  kinds: {
    chat: 'CHAT_MODEL', text_completion: 'LLM', generate_content: 'LLM', response: 'LLM', embeddings: 'EMBEDDING',
    execute_tool: 'TOOL', invoke_agent: 'AGENT', create_agent: 'AGENT',
  },
  keepUnmappedKinds: false,
  inputKeys: ['gen_ai.input.messages', 'gen_ai.tool.call.arguments', 'gen_ai.prompt'],
  outputKeys: ['gen_ai.output.messages', 'gen_ai.tool.call.result', 'gen_ai.completion'],
  inputTokenKeys: ['gen_ai.usage.input_tokens'],
  outputTokenKeys: ['gen_ai.usage.output_tokens'],
  totalTokenKeys: ['gen_ai.usage.total_tokens'],
  modelKeys: ['gen_ai.response.model', 'gen_ai.request.model'],
  toolNameKeys: ['gen_ai.tool.name'],
  inputs: (raw, events) => firstPresent(raw, GENAI.inputKeys) ?? messagesFrom(raw, 'gen_ai.prompt') ?? genAiInputEvents(events),
  outputs: (raw, events) => firstPresent(raw, GENAI.outputKeys) ?? messagesFrom(raw, 'gen_ai.completion') ?? genAiOutputEvents(events),
};

const TRACELOOP: Convention = {
  kindKey: 'traceloop.span.kind',
  kinds: { workflow: 'WORKFLOW', task: 'TASK', agent: 'AGENT', tool: 'TOOL', unknown: 'UNKNOWN' },
  keepUnmappedKinds: true,
  inputKeys: ['traceloop.entity.input'],
  outputKeys: ['traceloop.entity.output'],
  inputTokenKeys: ['gen_ai.usage.prompt_tokens', 'llm.usage.prompt_tokens'],
  outputTokenKeys: ['gen_ai.usage.completion_tokens', 'llm.usage.completion_tokens'],
  totalTokenKeys: ['llm.usage.total_tokens'],
  modelKeys: ['gen_ai.response.model', 'gen_ai.request.model'],
  toolNameKeys: ['traceloop.entity.name'],
  toolNameOnlyForTools: true,
  // Traceloop wraps the function's arguments as {args, kwargs} / {inputs}; shown as written.
};

const VERCEL_CHAT_OPERATIONS = new Set(['ai.generateText.doGenerate', 'ai.streamText.doStream', 'ai.generateObject.doGenerate', 'ai.streamObject.doStream']);

const VERCEL_AI: Convention = {
  kindKey: 'ai.operationId',
  kinds: {
    'ai.generateText': 'LLM', 'ai.generateText.doGenerate': 'LLM', 'ai.streamText': 'LLM', 'ai.streamText.doStream': 'LLM',
    'ai.generateObject': 'LLM', 'ai.generateObject.doGenerate': 'LLM', 'ai.streamObject': 'LLM', 'ai.streamObject.doStream': 'LLM',
    'ai.toolCall': 'TOOL', 'ai.embed': 'EMBEDDING', 'ai.embed.doEmbed': 'EMBEDDING', 'ai.embedMany': 'EMBEDDING', 'ai.embedMany.doEmbed': 'EMBEDDING',
  },
  keepUnmappedKinds: false,
  inputKeys: ['ai.prompt', 'ai.toolCall.args', 'ai.toolCall.input', 'ai.value', 'ai.values'],
  outputKeys: ['ai.response.text', 'ai.toolCall.result', 'ai.toolCall.output', 'ai.response.object', 'ai.embedding', 'ai.embeddings'],
  inputTokenKeys: ['ai.usage.inputTokens', 'ai.usage.promptTokens'],
  outputTokenKeys: ['ai.usage.outputTokens', 'ai.usage.completionTokens'],
  totalTokenKeys: ['ai.usage.totalTokens'],
  modelKeys: ['ai.response.model', 'ai.model.id'],
  toolNameKeys: ['ai.toolCall.name'],
  // A provider call carries the whole request and response under ai.prompt.* / ai.response.*.
  inputs: (raw) => (vercelChat(raw) ? unpackPrefix(raw, 'ai.prompt.') : undefined),
  outputs: (raw) => (vercelChat(raw) ? unpackPrefix(raw, 'ai.response.') : undefined),
};

const CONVENTIONS: readonly Convention[] = [OPENINFERENCE, GENAI, TRACELOOP, VERCEL_AI];

const RESERVED_KEYS: ReadonlySet<string> = new Set(Object.values(RESERVED));

export function extractSemantics(raw: Record<string, unknown>, events: SpanEvent[] = []): SpanSemantics {
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!RESERVED_KEYS.has(key)) setOwn(attributes, key, value);
  }
  const result: SpanSemantics = { spanType: 'UNKNOWN', attributes };

  const inputs = present(raw[RESERVED.inputs]) ?? firstOf(CONVENTIONS, (c) => (c.inputs?.(raw, events) ?? firstPresent(raw, c.inputKeys)));
  if (inputs !== undefined) result.inputs = inputs;
  const outputs = present(raw[RESERVED.outputs]) ?? firstOf(CONVENTIONS, (c) => (c.outputs?.(raw, events) ?? firstPresent(raw, c.outputKeys)));
  if (outputs !== undefined) result.outputs = outputs;

  const { spanType, tokens, model, toolName } = classifySpan(raw);
  if (tokens) result.tokens = tokens;
  if (model !== undefined) result.model = model;
  if (toolName !== undefined) result.toolName = toolName;
  result.spanType = spanType;
  return result;
}

/** What a span is and what it used: its type, token usage, and the tool and model names its type may be inferred from. */
export type SpanClass = Pick<SpanSemantics, 'spanType' | 'tokens' | 'toolName' | 'model'>;

/**
 * The only attributes classifySpan reads: a reader that needs no more than a span's class (the
 * trace viewer's outline) decodes these and leaves the payloads (inputs, outputs…) alone.
 */
export const CLASSIFYING_ATTRIBUTES: ReadonlySet<string> = new Set([
  RESERVED.spanType, RESERVED.tokenUsage, RESERVED.model, RESERVED.toolName,
  ...CONVENTIONS.flatMap((c) => [c.kindKey, ...c.inputTokenKeys, ...c.outputTokenKeys, ...c.totalTokenKeys, ...c.modelKeys, ...c.toolNameKeys]),
]);

/** The class of a span with (decoded) attributes `raw`; reads only CLASSIFYING_ATTRIBUTES. */
export function classifySpan(raw: Record<string, unknown>): SpanClass {
  const found: SpanClass = { spanType: 'UNKNOWN' };
  const tokens = reservedTokens(raw) ?? firstOf(CONVENTIONS, (c) => conventionTokens(raw, c));
  if (tokens) found.tokens = tokens;
  const model = nonEmptyString(raw[RESERVED.model]) ?? firstOf(CONVENTIONS, (c) => firstStringAt(raw, c.modelKeys));
  if (model !== undefined) found.model = model;

  const declared = declaredType(raw);
  const toolName = nonEmptyString(raw[RESERVED.toolName]) ?? firstOf(CONVENTIONS, (c) =>
    c.toolNameOnlyForTools && declared !== 'TOOL' ? undefined : firstStringAt(raw, c.toolNameKeys));
  if (toolName !== undefined) found.toolName = toolName;

  found.spanType = declared ?? inferredType(found);
  return found;
}

/** The span type the span itself declares, by reserved key or a convention's kind attribute. */
function declaredType(raw: Record<string, unknown>): SpanType | undefined {
  const explicit = raw[RESERVED.spanType];
  if (typeof explicit === 'string' && explicit.trim() !== '') return explicit;
  return firstOf(CONVENTIONS, (c) => {
    const kind = raw[c.kindKey];
    if (typeof kind !== 'string' || kind === '') return undefined;
    const mapped = c.kinds[kind] ?? c.kinds[kind.toUpperCase()] ?? c.kinds[kind.toLowerCase()];
    return mapped ?? (c.keepUnmappedKinds ? kind.toUpperCase() : undefined);
  });
}

function inferredType(found: SpanClass): SpanType {
  if (found.toolName !== undefined) return 'TOOL';
  if (found.tokens || found.model !== undefined) return 'LLM';
  return 'UNKNOWN';
}

/**
 * The reserved attributes that carry a span's derived fields when it is written out (values not
 * yet encoded). UNKNOWN is not written: it is what a missing type means, and writing it would
 * stop MLflow from deriving the type from the convention attributes itself.
 */
export function reservedAttributes(span: Pick<Span, 'spanType' | 'inputs' | 'outputs' | 'tokens' | 'toolName' | 'model' | 'kind' | 'scope' | 'resource'>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (span.spanType !== 'UNKNOWN') out[RESERVED.spanType] = span.spanType;
  if (span.inputs !== undefined) out[RESERVED.inputs] = span.inputs;
  if (span.outputs !== undefined) out[RESERVED.outputs] = span.outputs;
  if (span.tokens) {
    out[RESERVED.tokenUsage] = { input_tokens: span.tokens.input, output_tokens: span.tokens.output, total_tokens: span.tokens.total };
  }
  if (span.model !== undefined) out[RESERVED.model] = span.model;
  if (span.toolName !== undefined) out[RESERVED.toolName] = span.toolName;
  if (span.kind !== undefined) out[RESERVED.kind] = span.kind;
  if (span.scope !== undefined) out[RESERVED.scope] = span.scope;
  if (span.resource !== undefined) out[RESERVED.resource] = span.resource;
  return out;
}

function reservedTokens(raw: Record<string, unknown>): TokenUsage | undefined {
  const usage = raw[RESERVED.tokenUsage];
  if (!isRecord(usage)) return undefined;
  return complete(num(usage.input_tokens), num(usage.output_tokens), num(usage.total_tokens));
}

function conventionTokens(raw: Record<string, unknown>, c: Convention): TokenUsage | undefined {
  // Loops, not map/find: every span of a scan is classified, and these arrays were its garbage.
  const pick = (keys: string[]) => {
    for (const key of keys) {
      const n = num(raw[key]);
      if (n !== undefined) return n;
    }
    return undefined;
  };
  return complete(pick(c.inputTokenKeys), pick(c.outputTokenKeys), pick(c.totalTokenKeys));
}

function complete(input: number | undefined, output: number | undefined, total: number | undefined): TokenUsage | undefined {
  if (input === undefined && output === undefined && total === undefined) return undefined;
  const i = input ?? 0;
  const o = output ?? 0;
  return { input: i, output: o, total: total ?? i + o };
}

function vercelChat(raw: Record<string, unknown>): boolean {
  const op = raw['ai.operationId'];
  return typeof op === 'string' && VERCEL_CHAT_OPERATIONS.has(op);
}

/** `ai.prompt.messages`, `ai.prompt.tools`, … as one object of parsed values, or undefined. */
function unpackPrefix(raw: Record<string, unknown>, prefix: string): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith(prefix)) continue;
    setOwn((out ??= {}), key.slice(prefix.length), Array.isArray(value) ? value.map(parseMaybeJson) : parseMaybeJson(value));
  }
  return out;
}

/** OpenInference `input.value` / `output.value`, parsed when the mime type (or the text) says JSON. */
function openInferenceValue(raw: Record<string, unknown>, prefix: 'input' | 'output'): unknown {
  const value = present(raw[`${prefix}.value`]);
  if (typeof value !== 'string') return value;
  const mime = raw[`${prefix}.mime_type`];
  if (mime === 'application/json' || (mime === undefined && /^\s*[[{]/.test(value))) return parseMaybeJson(value);
  return value;
}

const GENAI_INPUT_EVENTS: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

function genAiInputEvents(events: SpanEvent[]): unknown {
  const messages: unknown[] = [];
  for (const event of events) {
    const role = GENAI_INPUT_EVENTS[event.name];
    if (role !== undefined) messages.push({ role: event.attributes.role ?? role, content: parseMaybeJson(event.attributes.content) });
    if (event.name === 'gen_ai.content.prompt' && event.attributes['gen_ai.prompt'] !== undefined) {
      return parseMaybeJson(event.attributes['gen_ai.prompt']);
    }
    // The current semconv: one gen_ai.client.inference.operation.details event with the messages.
    if (event.attributes['gen_ai.input.messages'] !== undefined) return parseMaybeJson(event.attributes['gen_ai.input.messages']);
  }
  return messages.length > 0 ? messages : undefined;
}

function genAiOutputEvents(events: SpanEvent[]): unknown {
  const choices: unknown[] = [];
  for (const event of events) {
    if (event.name === 'gen_ai.choice') choices.push(parseMaybeJson(event.attributes.message ?? event.attributes));
    if (event.name === 'gen_ai.content.completion' && event.attributes['gen_ai.completion'] !== undefined) {
      return parseMaybeJson(event.attributes['gen_ai.completion']);
    }
    if (event.attributes['gen_ai.output.messages'] !== undefined) return parseMaybeJson(event.attributes['gen_ai.output.messages']);
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
    // At most five digits: `llm.input_messages.999999999999.role` would make a list that long.
    const match = /^(\d{1,5})\.(.+)$/.exec(key.slice(start.length));
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
    const next = getOwn(node, part);
    if (isRecord(next)) node = next;
    else {
      const created: Record<string, unknown> = {};
      setOwn(node, part, created);
      node = created;
    }
  }
  setOwn(node, path[path.length - 1]!, value);
}

/** The first key with a value worth showing, JSON-decoded when it is JSON text. */
function firstPresent(raw: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const key of keys) {
    const value = present(raw[key]);
    if (value !== undefined) return parseMaybeJson(value);
  }
  return undefined;
}

/**
 * A value, or undefined when it carries nothing: null, "", and JSON text of an empty or falsy
 * value ("{}", "[]", "null"), as MLflow's translators skip them too.
 */
function present(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') {
    const parsed = parseMaybeJson(value);
    if (parsed === null || (typeof parsed === 'object' && Object.keys(parsed as object).length === 0)) return undefined;
  }
  return value;
}

function firstOf<T>(conventions: readonly Convention[], read: (c: Convention) => T | undefined): T | undefined {
  for (const c of conventions) {
    const value = read(c);
    if (value !== undefined) return value;
  }
  return undefined;
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

/** The first of raw[keys] that is a non-empty string. */
function firstStringAt(raw: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = nonEmptyString(raw[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** `value` when it is a non-empty string. */
function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
