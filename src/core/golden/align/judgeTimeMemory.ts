/**
 * Memory alignment at judge time. When `golden/<judge-id>.memory.json` exists (written by
 * `costar align --method memory --write`), every run of that LLM judge — runs, re-scores,
 * `costar agreement --evaluate` — is prompted with:
 *  - its instructions minus the guidelines whose source labels are all gone, so unlearning
 *    takes effect at once rather than at the next alignment;
 *  - the k most similar labelled examples of the memory (embeddings when an embedder is
 *    given, else BM25) with the experts' current values and rationales. Examples whose labels
 *    were removed are gone, and the trace being judged is never its own example (a judge that
 *    is shown the answer would fake agreement).
 * The prompt comes with a fingerprint of that memory state for the reply cache.
 *
 * Files are re-read only when they change (inode, size, mtime), so one instance can serve a
 * whole run and still see labels given meanwhile.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { JudgeFileDef } from '../../judges/judgeFile';
import type { JudgeMemoryPrompt } from '../../judges/llmJudge';
import type { ScenarioDef } from '../../scenario/schema';
import type { Trace } from '../../trace/model';
import { resolveLabels } from '../resolve';
import { goldenFile, readLabels } from '../store';
import { ExampleRetriever, exampleText, examplesContext, withoutUnbackedGuidelines, type Embedder, type MemoryExample } from './memory';
import { memoryFile, readMemory } from './memoryFile';

/** Examples shown per judged trace when the memory does not say (`align --k`). */
export const DEFAULT_K = 3;

export interface AlignmentMemoriesOptions {
  /** Asked once, when the first judge with a memory runs; no option or undefined: BM25. */
  embedder?: () => Promise<Embedder | undefined>;
}

interface LoadedMemory {
  /** Traces that still have a label for this judge. */
  labelled: Set<string>;
  retriever: ExampleRetriever;
  k: number;
  fingerprint: string;
}

export class AlignmentMemories {
  private readonly loaded = new Map<string, { stamp: string; memory: Promise<LoadedMemory | undefined> }>();
  private embedder: Promise<Embedder | undefined> | undefined;

  constructor(
    readonly workspaceDir: string,
    private readonly options: AlignmentMemoriesOptions = {},
  ) {}

  /** What the judge's memory changes in its prompt for this trace; undefined when it has no memory. */
  async promptFor(def: JudgeFileDef, trace: Trace, scenario: ScenarioDef): Promise<JudgeMemoryPrompt | undefined> {
    const memory = await this.load(def.id);
    if (!memory) return undefined;
    const examples = examplesContext(await memory.retriever.similar(exampleText({ trace, scenario }), memory.k, trace.info.traceId));
    return {
      instructions: withoutUnbackedGuidelines(def.instructions ?? '', memory.labelled),
      ...(examples ? { examples } : {}),
      fingerprint: memory.fingerprint,
    };
  }

  private async load(judgeId: string): Promise<LoadedMemory | undefined> {
    const stamp = await this.stamp(judgeId);
    if (stamp === undefined) return undefined;
    const cached = this.loaded.get(judgeId);
    if (cached?.stamp === stamp) return cached.memory;
    const memory = this.read(judgeId);
    this.loaded.set(judgeId, { stamp, memory });
    return memory;
  }

  private async stamp(judgeId: string): Promise<string | undefined> {
    const memory = await statOf(memoryFile(this.workspaceDir, judgeId));
    if (!memory) return undefined;
    return `${memory}|${(await statOf(goldenFile(this.workspaceDir, judgeId))) ?? 'no labels'}`;
  }

  private async read(judgeId: string): Promise<LoadedMemory | undefined> {
    const memory = await readMemory(this.workspaceDir, judgeId);
    if (!memory) return undefined;
    const { labels } = await readLabels(this.workspaceDir, judgeId);
    const current = new Map(resolveLabels(labels).resolved.map((r) => [r.traceId, r]));
    const pool: MemoryExample[] = memory.examples.flatMap((e) => {
      const label = current.get(e.traceId);
      return label ? [{ ...e, value: label.value, rationale: label.rationales.join(' | ') }] : [];
    });
    this.embedder ??= this.options.embedder?.() ?? Promise.resolve(undefined);
    const retriever = await ExampleRetriever.create(pool, await this.embedder);
    const k = memory.k ?? DEFAULT_K;
    const fingerprint = createHash('sha256').update(JSON.stringify({ guidelines: memory.guidelines, pool, k, method: retriever.method })).digest('hex').slice(0, 16);
    return { labelled: new Set(current.keys()), retriever, k, fingerprint };
  }
}

async function statOf(file: string): Promise<string | undefined> {
  try {
    const s = await fs.stat(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
