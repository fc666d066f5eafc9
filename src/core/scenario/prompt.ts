/**
 * How a scenario's prompt reaches the agent, and the limits that follow from it.
 *
 * The prompt is always on stdin and in the file named by COSTAR_PROMPT_FILE. It is also in the
 * COSTAR_PROMPT variable when it is small enough: Linux refuses to start a process whose single
 * environment string exceeds 128 KiB (`spawn E2BIG`), and all of argv + environment share a
 * limit of a few MiB, so the variable is left out above PROMPT_ENV_MAX_BYTES.
 */
export const PROMPT_ENV_MAX_BYTES = 64 * 1024;

/** Why a prompt (or an environment value) cannot be handed to a process, or undefined. */
export function nulProblem(text: string): string | undefined {
  const at = text.indexOf('\0');
  if (at === -1) return undefined;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  return `contains a NUL character (line ${line}, column ${column} of the text); a process cannot receive NUL in its input or environment`;
}

export function promptFitsEnv(prompt: string): boolean {
  return Buffer.byteLength(prompt, 'utf8') <= PROMPT_ENV_MAX_BYTES;
}
