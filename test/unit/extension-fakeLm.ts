/**
 * A stand-in for VS Code's Language Model API (vscode.lm and its message/part classes) with
 * chat models that answer from a script, for plain-Node tests of the editor's provider seam
 * (src/extension/llm/vscodeLmProvider.ts). It models VS Code's behaviour: selectChatModels
 * filters by vendor/id/family, replies arrive as a stream of parts, tokens are counted by the
 * model. Every request is recorded as plain data (role and text per message), like the
 * editor tier's test chat model provider (test/fixtures/lm-provider) does.
 */
export interface FakeLmRequest {
  model: string;
  messages: {
    role: 'user' | 'assistant';
    text: string;
    toolCalls: { callId: string; name: string; input: object }[];
    toolResults: { callId: string; text: string }[];
  }[];
  /** Names of the tools offered. */
  tools: string[];
}

/** A reply: text, or parts (text and tool calls) in order. */
export type FakeLmReply = string | ({ text: string } | { callId: string; name: string; input: object })[];

class LanguageModelTextPart {
  constructor(readonly value: string) {}
}

class LanguageModelToolCallPart {
  constructor(readonly callId: string, readonly name: string, readonly input: object) {}
}

class LanguageModelToolResultPart {
  constructor(readonly callId: string, readonly content: LanguageModelTextPart[]) {}
}

const LanguageModelChatMessageRole = { User: 1, Assistant: 2 } as const;
type Part = LanguageModelTextPart | LanguageModelToolCallPart | LanguageModelToolResultPart;

class LanguageModelChatMessage {
  constructor(readonly role: number, readonly content: Part[]) {}
  static User(content: string | Part[]): LanguageModelChatMessage {
    return new LanguageModelChatMessage(LanguageModelChatMessageRole.User, typeof content === 'string' ? [new LanguageModelTextPart(content)] : content);
  }
  static Assistant(content: string | Part[]): LanguageModelChatMessage {
    return new LanguageModelChatMessage(LanguageModelChatMessageRole.Assistant, typeof content === 'string' ? [new LanguageModelTextPart(content)] : content);
  }
}

class LanguageModelError extends Error {
  constructor(message: string, readonly code = 'Unknown') {
    super(message);
  }
  static NoPermissions(message = ''): LanguageModelError {
    return new LanguageModelError(message, 'NoPermissions');
  }
  static NotFound(message = ''): LanguageModelError {
    return new LanguageModelError(message, 'NotFound');
  }
  static Blocked(message = ''): LanguageModelError {
    return new LanguageModelError(message, 'Blocked');
  }
}

class CancellationError extends Error {}

const textOf = (message: LanguageModelChatMessage | string): string =>
  typeof message === 'string' ? message : message.content.map((p) => (p instanceof LanguageModelTextPart ? p.value : '')).join('');

/** `script(request)` gives the reply of each request. */
export function fakeLm(models: { vendor: string; id: string; family: string }[], script: (request: FakeLmRequest) => FakeLmReply) {
  const requests: FakeLmRequest[] = [];
  const chats = models.map((m) => ({
    ...m,
    name: m.id,
    async sendRequest(messages: LanguageModelChatMessage[], options: { tools?: { name: string }[] } = {}) {
      const request: FakeLmRequest = {
        model: `${m.vendor}/${m.id}`,
        messages: messages.map((message) => ({
          role: message.role === LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user',
          text: textOf(message),
          toolCalls: message.content.flatMap((p) => (p instanceof LanguageModelToolCallPart ? [{ callId: p.callId, name: p.name, input: p.input }] : [])),
          toolResults: message.content.flatMap((p) => (p instanceof LanguageModelToolResultPart ? [{ callId: p.callId, text: p.content.map((c) => c.value).join('') }] : [])),
        })),
        tools: (options.tools ?? []).map((t) => t.name),
      };
      requests.push(request);
      const reply = script(request);
      const parts = typeof reply === 'string' ? [{ text: reply }] : reply;
      return {
        stream: (async function* () {
          for (const part of parts) yield 'text' in part ? new LanguageModelTextPart(part.text) : new LanguageModelToolCallPart(part.callId, part.name, part.input);
        })(),
      };
    },
    countTokens: async (text: LanguageModelChatMessage | string) => Math.ceil(textOf(text).length / 4),
  }));
  const api = {
    lm: {
      selectChatModels: async (selector: { vendor?: string; id?: string; family?: string } = {}) =>
        chats.filter((c) => (!selector.vendor || c.vendor === selector.vendor) && (!selector.id || c.id === selector.id) && (!selector.family || c.family === selector.family)),
    },
    LanguageModelTextPart, LanguageModelToolCallPart, LanguageModelToolResultPart, LanguageModelChatMessage, LanguageModelChatMessageRole,
    LanguageModelError, CancellationError,
    LanguageModelChatToolMode: { Auto: 1, Required: 2 },
  };
  return { api, requests };
}
