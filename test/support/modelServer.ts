/**
 * A local OpenAI-compatible model server for tests: real HTTP on 127.0.0.1, so the production
 * path (the `openai` package over fetch) is what tests exercise.
 *
 * API
 *   const server = await ModelServer.start();        // random free port
 *   server.baseUrl                                   // 'http://127.0.0.1:PORT/v1' — give it to the client
 *   server.script({ match, reply, times })           // add a rule; first matching rule with times left answers
 *   server.reply(reply, times?)                      // shorthand: a rule that matches anything
 *   server.requests                                  // RecordedRequest[]: body (parsed), headers (lower-case), bytes, path
 *   server.chatRequests                              // only POST /v1/chat/completions
 *   server.rejects({ jsonSchema, jsonObject, temperature, maxTokens, maxCompletionTokens })
 *                                                    // endpoint quirks: 400 for requests carrying them (see below)
 *   server.reset()                                   // forget rules, quirks and recorded requests
 *   await server.close()
 *
 * Endpoints: POST /v1/chat/completions (JSON or, with `stream: true`, SSE chunks ending in
 * `data: [DONE]`; usage in a last chunk when `stream_options.include_usage`), POST /v1/responses
 * (the Responses API, non-streaming: the same rules answer it; `body.messages` is derived from
 * `input` so rules and userPrompt work unchanged, tool results arrive as role "tool"), GET /v1/models.
 *
 * `match` (optional; omitted = any request): a string (must occur in the request's JSON text),
 * a RegExp (tested on that text) or a function of the parsed body. `times` (default unlimited)
 * bounds how often the rule answers. `reply` is a ScriptedReply or a function of
 * (body, n-th use of this rule starting at 0) returning one:
 *   { content: 'text' }                              plain assistant message
 *   { json: {...} }                                  content = JSON.stringify(json) (for response_format)
 *   { toolCalls: [{ name, arguments }] }             arguments: an object (JSON-encoded for you) or raw text
 *   { fault: 'rate-limit', retryAfter?: seconds }    429 with Retry-After
 *   { fault: 'server-error', status?: 500 }          5xx with an error body
 *   { fault: 'slow', delayMs, then?: reply }         waits, then answers `then` (default { content: '' })
 *   { fault: 'malformed-body' }                      200 with a body that is not JSON
 *   { fault: 'no-choices', error?: 'text' }          200 with `choices: []` (and an `error` object when given), as some gateways do
 *   { fenced: {...}, prose?: 'text' }                content = the JSON in a ```json fence, after `prose` when given
 * Every non-fault reply may set `usage: { prompt_tokens, completion_tokens }` (default: sizes of
 * the request and the reply in bytes / 4) and `finishReason`.
 * A request no rule matches gets a 400 whose message says so (and is recorded as unmatched).
 *
 * Quirks (`rejects`), checked before any rule, answer 400 the way real endpoints do: `jsonSchema`
 * and `jsonObject` like older vLLM/Ollama builds and gateways (message only, no `param`), and
 * `temperature`, `maxTokens`, `maxCompletionTokens` like OpenAI's reasoning models (message and
 * `param`). Rejected requests are recorded (matched: false) and counted like any other.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

interface ReplyCommon {
  usage?: Usage;
  finishReason?: string;
}

export type ScriptedReply =
  | ({ content: string } & ReplyCommon)
  | ({ json: unknown } & ReplyCommon)
  | ({ toolCalls: { name: string; arguments: unknown; id?: string }[]; content?: string } & ReplyCommon)
  | { fault: 'rate-limit'; retryAfter?: number }
  | { fault: 'server-error'; status?: number }
  | { fault: 'slow'; delayMs: number; then?: ScriptedReply }
  | { fault: 'malformed-body' }
  | { fault: 'no-choices'; error?: string }
  | ({ fenced: unknown; prose?: string } & ReplyCommon);

export interface Quirks {
  jsonSchema?: boolean;
  jsonObject?: boolean;
  temperature?: boolean;
  maxTokens?: boolean;
  maxCompletionTokens?: boolean;
}

export type ChatBody = Record<string, any> & { messages: any[]; model: string };

/** The text of a request's user messages (what a script usually matches on). */
export function userPrompt(body: ChatBody): string {
  return body.messages.filter((m: { role: string }) => m.role === 'user').map((m: { content: string }) => m.content).join('\n');
}

/** The name of the JSON-schema response format a request asks for, if any. */
export function formatName(body: ChatBody): string | undefined {
  return body.response_format?.json_schema?.name;
}

export interface ScriptRule {
  match?: string | RegExp | ((body: ChatBody) => boolean);
  reply: ScriptedReply | ((body: ChatBody, use: number) => ScriptedReply);
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: any;
  /** Size of the request body in bytes: what a client sends as context. */
  bytes: number;
  matched: boolean;
}

interface ActiveRule extends ScriptRule {
  used: number;
}

export class ModelServer {
  readonly requests: RecordedRequest[] = [];
  private rules: ActiveRule[] = [];
  private quirks: Quirks = {};
  private completionCount = 0;

  private constructor(
    private readonly server: http.Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<ModelServer> {
    let instance: ModelServer | undefined;
    const server = http.createServer((req, res) => {
      instance!.handle(req, res).catch((error: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `test model server crashed: ${error.message}` } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new ModelServer(server, `http://127.0.0.1:${port}/v1`);
    return instance;
  }

  script(rule: ScriptRule): this {
    this.rules.push({ ...rule, used: 0 });
    return this;
  }

  reply(reply: ScriptRule['reply'], times?: number): this {
    return this.script(times === undefined ? { reply } : { reply, times });
  }

  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions') || r.path.endsWith('/responses'));
  }

  rejects(quirks: Quirks): this {
    this.quirks = { ...this.quirks, ...quirks };
    return this;
  }

  reset(): void {
    this.rules = [];
    this.quirks = {};
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body: any;
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      body = raw.toString('utf8');
    }
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, headers, body, bytes: raw.length, matched: false };
    this.requests.push(record);

    if (req.method === 'GET' && url.pathname.endsWith('/models')) {
      return sendJson(res, 200, { object: 'list', data: [{ id: 'test-model', object: 'model', created: 0, owned_by: 'costar-tests' }] });
    }
    const responsesApi = req.method === 'POST' && url.pathname.endsWith('/responses');
    if (responsesApi && body && typeof body === 'object') body.messages ??= messagesOfResponsesInput(body);
    if (req.method !== 'POST' || !(url.pathname.endsWith('/chat/completions') || responsesApi)) {
      return sendJson(res, 404, { error: { message: `test model server: no endpoint ${req.method} ${url.pathname}` } });
    }
    if (!body || typeof body !== 'object' || !Array.isArray(body.messages)) {
      return sendJson(res, 400, { error: { message: 'test model server: expected a JSON chat-completions body with messages' } });
    }
    const rejection = quirkRejection(this.quirks, body as ChatBody);
    if (rejection) return sendJson(res, 400, { error: rejection });
    const text = raw.toString('utf8');
    const rule = this.rules.find((r) => (r.times === undefined || r.used < r.times) && matches(r.match, body as ChatBody, text));
    if (!rule) {
      const lastUser = [...body.messages].reverse().find((m: any) => m.role === 'user' || m.role === 'tool');
      const preview = JSON.stringify(lastUser?.content ?? '').slice(0, 200);
      return sendJson(res, 400, { error: { message: `test model server: no scripted reply matches this request (last user/tool message: ${preview})` } });
    }
    record.matched = true;
    const use = rule.used++;
    const reply = typeof rule.reply === 'function' ? rule.reply(body as ChatBody, use) : rule.reply;
    if (responsesApi) return this.answerResponses(res, body as ChatBody, reply, raw.length);
    await this.answer(res, body as ChatBody, reply, raw.length, req);
  }

  /** A Responses API answer: output items (function_call or message) and input/output token usage. */
  private answerResponses(res: http.ServerResponse, body: ChatBody, reply: ScriptedReply, requestBytes: number): void {
    if ('fault' in reply) return sendJson(res, 500, { error: { message: `test model server: fault replies are for chat completions only (${reply.fault})` } });
    const n = ++this.completionCount;
    const output: Record<string, unknown>[] = [];
    const content = 'json' in reply ? JSON.stringify(reply.json) : 'content' in reply ? reply.content : undefined;
    if (content) {
      output.push({ type: 'message', id: `msg_${n}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: content, annotations: [] }] });
    }
    if ('toolCalls' in reply) {
      reply.toolCalls.forEach((call, i) => output.push({
        type: 'function_call', id: `fc_${n}_${i}`, call_id: call.id ?? `call_${n}_${i}`, name: call.name, status: 'completed',
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
      }));
    }
    const usage = reply.usage ?? { prompt_tokens: Math.ceil(requestBytes / 4), completion_tokens: Math.ceil(JSON.stringify(output).length / 4) };
    sendJson(res, 200, {
      id: `resp_${n}`, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'completed', model: body.model,
      output, parallel_tool_calls: true, tool_choice: 'auto', tools: body.tools ?? [], temperature: 1, top_p: 1, error: null, incomplete_details: null, instructions: body.instructions ?? null, metadata: {},
      usage: {
        input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens, total_tokens: usage.prompt_tokens + usage.completion_tokens,
        input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 },
      },
    });
  }

  private async answer(res: http.ServerResponse, body: ChatBody, reply: ScriptedReply, requestBytes: number, req: http.IncomingMessage): Promise<void> {
    if ('fault' in reply) {
      switch (reply.fault) {
        case 'rate-limit':
          res.setHeader('retry-after', String(reply.retryAfter ?? 1));
          return sendJson(res, 429, { error: { message: 'Rate limit reached (scripted)', type: 'rate_limit_error' } });
        case 'server-error':
          return sendJson(res, reply.status ?? 500, { error: { message: 'Internal error (scripted)', type: 'server_error' } });
        case 'malformed-body':
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end('{"id": "chatcmpl-broken", "choices": [ {"message": ');
        case 'no-choices':
          return sendJson(res, 200, { id: `chatcmpl-${++this.completionCount}`, object: 'chat.completion', created: 0, model: body.model, choices: [], ...(reply.error ? { error: { message: reply.error } } : {}) });
        case 'slow': {
          const gone = await waitOrDisconnect(reply.delayMs, req);
          if (gone) return;
          return this.answer(res, body, reply.then ?? { content: '' }, requestBytes, req);
        }
      }
    }
    const id = `chatcmpl-${++this.completionCount}`;
    const content =
      'json' in reply ? JSON.stringify(reply.json)
      : 'fenced' in reply ? `${reply.prose ? `${reply.prose}\n\n` : ''}\`\`\`json\n${JSON.stringify(reply.fenced, null, 2)}\n\`\`\``
      : 'content' in reply ? (reply.content ?? null)
      : null;
    const toolCalls =
      'toolCalls' in reply
        ? reply.toolCalls.map((call, i) => ({
            id: call.id ?? `call_${this.completionCount}_${i}`,
            type: 'function' as const,
            function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}) },
          }))
        : undefined;
    const finishReason = reply.finishReason ?? (toolCalls ? 'tool_calls' : 'stop');
    const replyBytes = (content?.length ?? 0) + JSON.stringify(toolCalls ?? []).length;
    const usage = reply.usage ?? { prompt_tokens: Math.ceil(requestBytes / 4), completion_tokens: Math.ceil(replyBytes / 4) };
    const fullUsage = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    const created = Math.floor(Date.now() / 1000);
    const message: Record<string, unknown> = { role: 'assistant', content, refusal: null };
    if (toolCalls) message.tool_calls = toolCalls;

    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
        res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`);
      chunk({ role: 'assistant', content: '' }, null);
      for (const piece of (content ?? '').match(/[\s\S]{1,8}/g) ?? []) chunk({ content: piece }, null);
      toolCalls?.forEach((call, index) => chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: call.function }] }, null));
      chunk({}, finishReason);
      if (body.stream_options?.include_usage) {
        res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage: fullUsage })}\n\n`);
      }
      res.end('data: [DONE]\n\n');
      return;
    }
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model: body.model,
      choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
      usage: fullUsage,
    });
  }
}

/** The 400 error object a quirky endpoint sends for this request, if it rejects it. */
function quirkRejection(quirks: Quirks, body: ChatBody): { message: string; type: string; param?: string; code?: string } | undefined {
  const format = body.response_format?.type;
  if (quirks.jsonSchema && format === 'json_schema') return { message: "response_format type 'json_schema' is not supported by this server", type: 'BadRequestError' };
  if (quirks.jsonObject && format === 'json_object') return { message: "response_format type 'json_object' is not supported by this server", type: 'BadRequestError' };
  if (quirks.maxTokens && body.max_tokens !== undefined) {
    return { message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", type: 'invalid_request_error', param: 'max_tokens', code: 'unsupported_parameter' };
  }
  if (quirks.maxCompletionTokens && body.max_completion_tokens !== undefined) {
    return { message: 'Unrecognized request argument supplied: max_completion_tokens', type: 'invalid_request_error', param: 'max_completion_tokens', code: 'unsupported_parameter' };
  }
  if (quirks.temperature && body.temperature !== undefined) {
    return { message: `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`, type: 'invalid_request_error', param: 'temperature', code: 'unsupported_value' };
  }
  return undefined;
}

/** Chat-style messages of a Responses API `input` (a string, or message / function_call / function_call_output items). */
function messagesOfResponsesInput(body: Record<string, any>): { role: string; content: unknown }[] {
  const messages: { role: string; content: unknown }[] = [];
  if (typeof body.instructions === 'string') messages.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') return [...messages, { role: 'user', content: body.input }];
  for (const item of Array.isArray(body.input) ? body.input : []) {
    if (item.type === 'function_call_output') messages.push({ role: 'tool', content: item.output });
    else if (item.type === 'function_call') messages.push({ role: 'assistant', content: null });
    else if (item.role) {
      const content = Array.isArray(item.content) ? item.content.map((p: { text?: string }) => p.text ?? '').join('') : item.content;
      messages.push({ role: item.role, content });
    }
  }
  return messages;
}

function matches(match: ScriptRule['match'], body: ChatBody, text: string): boolean {
  if (match === undefined) return true;
  if (typeof match === 'string') return text.includes(match);
  if (match instanceof RegExp) return match.test(text);
  return match(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

/** Resolves true if the client hung up before the delay ended (a client-side timeout). */
function waitOrDisconnect(ms: number, req: http.IncomingMessage): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      req.socket.off('close', onClose);
      resolve(false);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    req.socket.once('close', onClose);
  });
}
