/**
 * The host side of "coSTAR: Align Judge", without `vscode`: which judges can be aligned, one
 * alignment run, the sentence that reports it, and the accept/reject decision. index.ts only
 * adds pickers, the progress notification and the diff editor.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { acceptAlignment, alignJudge, MIN_LABELS, type AlignMethod, type AlignResult } from '../../core/golden/align/align';
import { AlignmentCancelled } from '../../core/golden/align/budget';
import { endpointEmbedder } from '../../core/golden/align/embeddings';
import { loadGoldenJudge, loadWorkspaceForGolden } from '../../core/golden/goldenWorkspace';
import type { KappaResult } from '../../core/golden/kappa';
import { resolveLabels } from '../../core/golden/resolve';
import { readLabels } from '../../core/golden/store';
import { MODEL_SETUP_HINT, type Env } from '../../core/llm/fromEnv';
import type { ModelClient } from '../../core/llm/types';
import type { WorkspaceConfig } from '../../core/scenario/schema';

export interface AlignableJudge {
  id: string;
  /** Absolute path of its judge file. */
  file: string;
  version: string;
  /** Traces with a label. */
  labelled: number;
}

/** LLM judges defined in judge files (the only ones align can change), with their label counts, most labelled first. */
export async function alignableJudges(workspaceDir: string): Promise<{ config: WorkspaceConfig; judges: AlignableJudge[] }> {
  const { config, catalog } = await loadWorkspaceForGolden(workspaceDir);
  const judges: AlignableJudge[] = [];
  for (const entry of catalog.all()) {
    if (entry.kind !== 'llm' || !entry.file || entry.inline || !entry.def?.instructions) continue;
    const { labels } = await readLabels(workspaceDir, entry.id);
    judges.push({ id: entry.id, file: entry.file, version: entry.version, labelled: resolveLabels(labels).resolved.length });
  }
  return { config, judges: judges.sort((a, b) => b.labelled - a.labelled || a.id.localeCompare(b.id)) };
}

/** Thrown when no model is configured: the editor offers to set the key or open the settings. */
export class NoModelConfigured extends Error {
  constructor() {
    super(`aligning a judge needs a model: ${MODEL_SETUP_HINT}`);
  }
}

export interface AlignmentRun {
  result: AlignResult;
  /** The judge file as it was when the alignment started: accepting refuses if it changed since. */
  originalText: string;
  /** Labels whose traces are gone or changed, and how retrieval works (memory method). */
  notes: string[];
}

export interface RunAlignmentOptions {
  workspaceDir: string;
  judgeId: string;
  method: AlignMethod;
  /** The environment with the model settings and API key (process env + the editor's settings and secret); embeddings probe the endpoint with it. */
  env: Env;
  /**
   * The judge's model for the workspace's `model:` settings: the editor's provider seam
   * (llm/editorModels.ts extensionModelClient), so an editor model picked with "coSTAR: Select
   * Model" aligns without an endpoint or key. Undefined: no model configured.
   */
  modelFor(config: WorkspaceConfig): ModelClient | undefined;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** Runs one alignment. Throws AlignmentRefused/GoldenSetupError (setup), NoModelConfigured, AlignmentCancelled, BudgetExhausted. */
export async function runAlignment(options: RunAlignmentOptions): Promise<AlignmentRun> {
  const golden = await loadGoldenJudge(options.workspaceDir, options.judgeId);
  const model = options.modelFor(golden.config);
  if (!model) throw new NoModelConfigured();
  const notes = [...golden.warnings];
  let embed;
  if (options.method === 'memory') {
    options.onProgress?.('checking the endpoint for embeddings');
    const probe = await endpointEmbedder(options.env, golden.config.model);
    notes.push(probe.note);
    embed = probe.embed;
  }
  const originalText = golden.judge.file ? await fs.readFile(golden.judge.file, 'utf8') : '';
  const result = await alignJudge({
    workspaceDir: options.workspaceDir,
    judge: golden.judge,
    labels: golden.labels,
    cases: golden.cases,
    method: options.method,
    model,
    ...(embed ? { embed } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  }).catch((error: unknown) => {
    // A model call cut short by cancelling fails with its own error; the user cancelled all the same.
    throw options.signal?.aborted ? new AlignmentCancelled() : error;
  });
  return { result, originalText, notes };
}

/** One line for the notification: held-out κ before → after, and what happens (offered, or why not). */
export function describeAlignment(result: AlignResult): string {
  const after = result.afterWithExamples ?? result.after;
  const retrieval = result.afterWithExamples ? ` (with ${result.retrieval} retrieval of similar labelled examples)` : '';
  const unlearned = result.unlearned && result.unlearned.length > 0 ? ` Unlearned ${result.unlearned.length} guideline(s) whose labels are gone.` : '';
  return `${result.judgeId} (${result.method}): held-out κ ${kappaText(result.before)} → ${kappaText(after)}${retrieval} on ${result.split.heldOut} held-out traces; ${result.summary}.${unlearned}`;
}

function kappaText(r: KappaResult): string {
  if (r.kappa !== null) return r.kappa.toFixed(2);
  return `undefined (accuracy ${r.accuracy === null ? '–' : `${Math.round(r.accuracy * 100)} %`})`;
}

/** How a method is shown in the picker. */
export function methodChoices(): { method: AlignMethod; label: string; detail: string }[] {
  return [
    { method: 'memory', label: 'Memory', detail: `Distil cited guidelines from the labels and show the judge similar labelled examples (at least ${MIN_LABELS.memory} labelled traces)` },
    { method: 'instructions', label: 'Instructions', detail: `Rewrite the instructions by reflecting on the judge's mistakes (at least ${MIN_LABELS.instructions} labelled traces)` },
  ];
}

export class JudgeFileChanged extends Error {}

/**
 * Accept writes the offered judge file (and memory) atomically, refusing when the judge file
 * changed since the alignment started; reject writes nothing. Returns the files written.
 */
export async function decideAlignment(workspaceDir: string, run: AlignmentRun, decision: 'accept' | 'reject'): Promise<string[]> {
  if (decision === 'reject') return [];
  const file = run.result.proposal?.file;
  if (!file) throw new Error('nothing to accept: this alignment offered no new judge version');
  if ((await fs.readFile(file, 'utf8')) !== run.originalText) {
    throw new JudgeFileChanged(`${path.relative(workspaceDir, file)} changed while the alignment ran; nothing was written. Run "coSTAR: Align Judge" again to align the current version.`);
  }
  return acceptAlignment(workspaceDir, run.result);
}
