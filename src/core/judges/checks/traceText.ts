/**
 * Where checks find text: the agent's final output, its stdout/stderr, span outputs and
 * artifacts. Artifacts are read from the sandbox when it still exists (it also holds input
 * files the agent didn't change), else from the text recorded with the trace — so a
 * re-score long after the run still works.
 *
 * Conventions read here (the harness writes them, see src/harness/assembleTrace.ts): the final
 * output is the root span's `outputs.output` when its outputs are an object with that key,
 * else its `outputs` (text as is, anything else as JSON), falling back to `info.responsePreview`;
 * stdout/stderr are the root span's `outputs.stdout`/`outputs.stderr`, or its attributes
 * `costar.stdout`/`costar.stderr`.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { rootSpans, type Span, type Trace } from '../../trace/model';
import type { JudgeContext } from '../types';
import { artifactEvidence, rootEvidence } from './evidence';
import { readUserFile, UserFileError } from '../../util/userFile';

/** Judges read sandbox files up to this size; bigger outputs are checked through a command check. */
const ARTIFACT_MAX_BYTES = 64 * 1024 * 1024;

export type TextSource = 'output' | 'stdout' | 'stderr';

/** The `with:` arguments that pick a text: `artifact: path` or `in: output | stdout | stderr`. */
export const TextTargetArgs = {
  artifact: z.string().min(1).optional(),
  in: z.enum(['output', 'stdout', 'stderr']).optional(),
};

/** A text a check reads, or why it is missing, with the spans that are its evidence (see evidence.ts). */
export type TextLookup = ({ label: string; text: string } | { label: string; missing: string }) & { spanIds: string[] };

export function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function rootSpan(trace: Trace): Span | undefined {
  return rootSpans(trace)[0];
}

export function finalOutput(trace: Trace): string | undefined {
  const root = rootSpan(trace);
  const outputs = root?.outputs;
  if (outputs && typeof outputs === 'object' && !Array.isArray(outputs) && 'output' in outputs) return asText((outputs as { output: unknown }).output);
  if (outputs !== undefined && outputs !== null) return asText(outputs);
  return trace.info.responsePreview;
}

function stream(trace: Trace, name: 'stdout' | 'stderr'): string | undefined {
  const root = rootSpan(trace);
  if (!root) return undefined;
  const outputs = root.outputs;
  if (outputs && typeof outputs === 'object' && typeof (outputs as Record<string, unknown>)[name] === 'string') {
    return (outputs as Record<string, string>)[name];
  }
  const attribute = root.attributes[`costar.${name}`];
  return typeof attribute === 'string' ? attribute : undefined;
}

export function readSource(trace: Trace, source: TextSource): TextLookup {
  const text = source === 'output' ? finalOutput(trace) : stream(trace, source);
  const spanIds = rootEvidence(trace);
  if (text === undefined) {
    const where = source === 'output' ? 'the root span has no outputs' : `the root span has no outputs.${source} nor attribute costar.${source}`;
    return { label: source === 'output' ? 'the final output' : source, missing: `no ${source} recorded in the trace (${where})`, spanIds };
  }
  return { label: source === 'output' ? 'the final output' : source, text, spanIds };
}

/** Refuses absolute paths and paths that climb out of the sandbox. */
export function normalizeArtifactPath(relative: string): string | undefined {
  if (path.isAbsolute(relative) || /^[A-Za-z]:/.test(relative)) return undefined;
  const normal = path.posix.normalize(relative.replace(/\\/g, '/'));
  if (normal === '..' || normal.startsWith('../')) return undefined;
  return normal.replace(/^\.\//, '');
}

export async function readArtifactText(ctx: Pick<JudgeContext, 'trace' | 'sandboxDir'>, relative: string): Promise<TextLookup> {
  const label = `artifact ${relative}`;
  const normal = normalizeArtifactPath(relative);
  if (normal === undefined) return { label, missing: `artifact path ${JSON.stringify(relative)} must be relative to the sandbox and stay inside it`, spanIds: [] };
  const spanIds = artifactEvidence(ctx.trace, normal);
  if (ctx.sandboxDir) {
    try {
      // The agent made this file: it may be a FIFO or a link to a device, which must not hang the judge.
      return { label, text: await readUserFile(path.join(ctx.sandboxDir, normal), ARTIFACT_MAX_BYTES), spanIds };
    } catch (error) {
      if (!(error instanceof UserFileError)) throw error;
      if (error.code !== 'ENOENT') return { label, missing: `cannot read ${normal} in the sandbox: ${error.message}`, spanIds };
    }
  }
  const recorded = ctx.trace.artifacts.find((a) => a.path === normal);
  if (!recorded || recorded.change === 'deleted') {
    const where = ctx.sandboxDir ? 'in the sandbox nor among the trace artifacts' : `among the trace's ${ctx.trace.artifacts.length} artifacts (the sandbox is gone)`;
    return { label, missing: `${normal} not found ${where}`, spanIds };
  }
  if (recorded.text === undefined) {
    return { label, missing: `${normal} was recorded without its text (binary or over the size cap) and the sandbox is gone; re-run the scenario to check it`, spanIds };
  }
  return { label, text: recorded.text, spanIds };
}

/** Reads what `artifact:` / `in:` point at (default: the final output). */
export async function readTarget(ctx: JudgeContext, args: { artifact?: string; in?: TextSource }): Promise<TextLookup> {
  if (args.artifact !== undefined) return readArtifactText(ctx, args.artifact);
  return readSource(ctx.trace, args.in ?? 'output');
}

/** 1-based line number of a character offset, for rationales that point into a file. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The agent's request: the root span's `inputs.prompt` when present, else its inputs, else `info.requestPreview`. */
export function finalInput(trace: Trace): string | undefined {
  const inputs = rootSpan(trace)?.inputs;
  if (inputs && typeof inputs === 'object' && !Array.isArray(inputs) && 'prompt' in inputs) return asText((inputs as { prompt: unknown }).prompt);
  if (inputs !== undefined && inputs !== null) return asText(inputs);
  return trace.info.requestPreview;
}
