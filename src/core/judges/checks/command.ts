import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { Duration } from '../../scenario/schema';
import { runProcessTree } from '../../process/processTree';
import type { Trace } from '../../trace/model';
import { defineCheck, errored, failed, passed } from './check';
import { normalizeArtifactPath } from './traceText';

const OUTPUT_TAIL = 4000;
/** Output read per stream; a check's rationale needs only its tail. */
const OUTPUT_CAP_BYTES = 1024 * 1024;

/**
 * Runs a command (lint, syntax check, test) in the sandbox; exit 0 passes and the command's
 * output is the rationale. When the sandbox is gone (re-scoring), the trace's text artifacts
 * are written to a temporary folder and the command runs there.
 */
export const command = defineCheck({
  id: 'command',
  description: 'Runs argv in the sandbox; passes on exit code 0 (with: argv, cwd, timeout).',
  args: z.strictObject({
    argv: z.array(z.string().min(1)).min(1, 'expected the command as an argv list, e.g. [node, --check, main.js]'),
    cwd: z.string().optional().meta({ description: 'Folder relative to the sandbox (default: the sandbox root).' }),
    timeout: Duration.default(30_000),
  }),
  async run(ctx, args) {
    const cwdRelative = args.cwd === undefined ? '.' : normalizeArtifactPath(args.cwd);
    if (cwdRelative === undefined) return errored(`with.cwd ${JSON.stringify(args.cwd)} must be relative to the sandbox and stay inside it`);
    let root = ctx.sandboxDir;
    let temporary: string | undefined;
    if (!root) {
      temporary = await materializeArtifacts(ctx.trace);
      root = temporary;
    }
    try {
      const result = await runProcess(args.argv, path.join(root, cwdRelative), args.timeout, ctx.signal);
      const shown = args.argv.join(' ');
      const where = temporary ? ' (in a copy of the recorded artifacts: the sandbox is gone)' : '';
      if (result.kind === 'spawn-error') return errored(`cannot run ${shown}: ${result.message}`);
      if (result.kind === 'timeout') return errored(`${shown} did not finish within ${args.timeout} ms${where}; raise with.timeout or fix the command`);
      if (result.kind === 'aborted') return errored(`${shown} was cancelled`);
      const output = result.output.trim() ? `:\n${result.output.trim()}` : ' with no output';
      if (result.code === 0) return passed(`${shown} exited 0${where}${output}`, { value: 0 });
      const how = result.code === null ? `was killed by ${result.signal}` : `exited ${result.code}`;
      return failed(`${shown} ${how}${where}${output}`, { value: result.code });
    } finally {
      if (temporary) await fs.rm(temporary, { recursive: true, force: true });
    }
  },
});

async function materializeArtifacts(trace: Trace): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'costar-artifacts-'));
  for (const artifact of trace.artifacts) {
    const normal = normalizeArtifactPath(artifact.path);
    if (normal === undefined || artifact.text === undefined || artifact.change === 'deleted') continue;
    const file = path.join(dir, normal);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, artifact.text);
  }
  return dir;
}

type ProcessResult =
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null; output: string }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'spawn-error'; message: string };

/** Runs argv (no shell) as a process tree, so a timeout or cancel stops its children too. */
async function runProcess(argv: string[], cwd: string, timeoutMs: number, signal: AbortSignal): Promise<ProcessResult> {
  if (signal.aborted) return { kind: 'aborted' };
  // The rationale shows the end of stdout and stderr interleaved, as a terminal would.
  let output = '';
  const result = await runProcessTree({
    argv,
    cwd,
    env: process.env,
    timeoutMs,
    signal,
    outputCapBytes: OUTPUT_CAP_BYTES,
    onOutput: (_stream, text) => {
      output = (output + text).slice(-OUTPUT_TAIL);
    },
  });
  if (result.spawnError) return { kind: 'spawn-error', message: result.spawnError };
  if (result.killedBecause === 'timeout') return { kind: 'timeout' };
  if (result.killedBecause === 'cancelled') return { kind: 'aborted' };
  return { kind: 'exit', code: result.exitCode, signal: result.signal, output };
}
