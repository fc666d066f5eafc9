/**
 * Structured output where the endpoint gives no guarantee. Endpoints without `json_schema`
 * (and some with it) wrap the object in a markdown fence or put a sentence before it ("Here
 * is my verdict:"); MLflow strips those, and so do we, so such a reply is an answer rather
 * than an error. Where the endpoint can't be told the schema, the prompt tells the model.
 */
import type { ChatMessage, ChatRequest } from './types';

const FENCE = /```[A-Za-z0-9_-]*[^\S\n]*\n([\s\S]*?)\n?[^\S\n]*```/;

/**
 * The JSON text of `text`: the text itself when it parses, else the first fenced block that
 * parses, else the first `{…}` / `[…]` span (from the first opening bracket to its last
 * closing one) that parses. Undefined when there is none — the caller reports the original.
 */
export function extractJson(text: string): string | undefined {
  const trimmed = text.trim();
  if (parses(trimmed)) return trimmed;
  const fenced = FENCE.exec(trimmed)?.[1]?.trim();
  if (fenced !== undefined && parses(fenced)) return fenced;
  for (const [open, close] of [['{', '}'], ['[', ']']] as const) {
    const start = trimmed.indexOf(open);
    const end = trimmed.lastIndexOf(close);
    if (start >= 0 && end > start) {
      const span = trimmed.slice(start, end + 1);
      if (parses(span)) return span;
    }
  }
  return undefined;
}

function parses(text: string): boolean {
  if (text === '') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The instruction that carries a response format's schema in the prompt. */
export function schemaInstruction(format: NonNullable<ChatRequest['responseFormat']>): string {
  return `Reply with only a JSON object (no prose before it, no markdown fence) that follows this JSON Schema:\n${JSON.stringify(format.schema)}`;
}

/**
 * The messages with the response format's schema appended to the system message (or put
 * first as one): for endpoints that don't accept `json_schema`, and for VS Code's models.
 */
export function withSchemaInPrompt(messages: readonly ChatMessage[], format: NonNullable<ChatRequest['responseFormat']>): ChatMessage[] {
  const instruction = schemaInstruction(format);
  const first = messages[0];
  if (first?.role === 'system' && typeof first.content === 'string') {
    return [{ role: 'system', content: `${first.content}\n\n${instruction}` }, ...messages.slice(1)];
  }
  return [{ role: 'system', content: instruction }, ...messages];
}
