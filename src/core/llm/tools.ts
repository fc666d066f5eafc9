/**
 * Tools a model calls in a tool-calling loop (the agentic judge's trace tools, Refine's file
 * tools). A call never throws: unknown tools, arguments that are not JSON or do not fit the
 * tool's schema, and failures become an `{ error }` answer the model can read and correct.
 */
import type { z } from 'zod';

export interface ToolSpec<Box> {
  description: string;
  args: z.ZodType;
  /** `args` has passed the tool's own schema. */
  run(toolbox: Box, args: any): unknown | Promise<unknown>;
}

export async function callTool<Box>(tools: Record<string, ToolSpec<Box>>, toolbox: Box, name: string, argumentsJson: string): Promise<unknown> {
  const spec = tools[name];
  if (!spec) return { error: `unknown tool ${JSON.stringify(name)}; tools: ${Object.keys(tools).join(', ')}` };
  let raw: unknown;
  try {
    raw = argumentsJson.trim() === '' ? {} : JSON.parse(argumentsJson);
  } catch (error) {
    return { error: `arguments are not JSON: ${(error as Error).message}` };
  }
  const parsed = spec.args.safeParse(raw ?? {});
  if (!parsed.success) return { error: `invalid arguments: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')}` };
  try {
    return await spec.run(toolbox, parsed.data);
  } catch (error) {
    return { error: (error as Error).message };
  }
}
