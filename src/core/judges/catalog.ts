/**
 * The judges a workspace can reference: the built-in checks plus every `*.judge.yaml` in the
 * judge folders (costar.yaml `judges:`, default `judges/`). Judge files are validated with
 * source positions, like scenarios; a broken file is reported and left out, the rest load.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { WorkspaceConfig } from '../scenario/schema';
import { problemAt, validateYaml, type Problem } from '../scenario/yamlSource';
import { BUILTIN_CHECKS } from './checks';
import { describeArgIssues, type CheckDef } from './checks/check';
import { JudgeFile, type JudgeFileDef, type JudgeKind } from './judgeFile';
import { unknownVariables, usesTrace } from './template';

export const JUDGE_FILE_SUFFIXES = ['.judge.yaml', '.judge.yml'];

export interface JudgeEntry {
  id: string;
  /** 'check' for built-ins; an `llm` judge whose instructions use {{ trace }} is listed as 'agentic'. */
  kind: JudgeKind;
  version: string;
  description: string;
  /** The judge file (absolute), absent for built-ins. */
  file?: string;
  def?: JudgeFileDef;
  /** The check that runs for kind check/module (built-in or wrapped by a judge file). */
  check?: CheckDef;
}

export class JudgeCatalog {
  private readonly entries = new Map<string, JudgeEntry>();

  constructor(entries: Iterable<JudgeEntry>) {
    for (const entry of entries) this.entries.set(entry.id, entry);
  }

  ids(): Set<string> {
    return new Set(this.entries.keys());
  }

  get(id: string): JudgeEntry | undefined {
    return this.entries.get(id);
  }

  all(): JudgeEntry[] {
    return [...this.entries.values()];
  }

  /** Whether the judge needs a model (llm or agentic). */
  isModelBased(id: string): boolean {
    const kind = this.entries.get(id)?.kind;
    return kind === 'llm' || kind === 'agentic';
  }
}

export function builtinEntries(): JudgeEntry[] {
  return [...BUILTIN_CHECKS.values()].map((check) => ({ id: check.id, kind: 'check', version: '1', description: check.description, check }));
}

export async function loadJudgeCatalog(workspaceDir: string, config: Pick<WorkspaceConfig, 'judges'>): Promise<{ catalog: JudgeCatalog; problems: Problem[] }> {
  const problems: Problem[] = [];
  const entries = builtinEntries();
  const seen = new Map<string, string>(entries.map((e) => [e.id, 'built-in check']));
  const folders = config.judges === undefined ? ['judges'] : typeof config.judges === 'string' ? [config.judges] : config.judges;

  for (const folder of folders) {
    const dir = path.resolve(workspaceDir, folder);
    let names: string[];
    try {
      names = (await fs.readdir(dir)).filter((n) => JUDGE_FILE_SUFFIXES.some((s) => n.endsWith(s))).sort();
    } catch (error) {
      // The default folder is optional; a folder the user named must exist.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && config.judges === undefined) continue;
      problems.push({
        file: path.join(workspaceDir, 'costar.yaml'),
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
        severity: 'error',
        message: `judges: cannot read the judge folder ${JSON.stringify(folder)}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}`,
      });
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      const loaded = await loadJudgeFile(file, seen);
      problems.push(...loaded.problems);
      if (loaded.entry) {
        seen.set(loaded.entry.id, path.relative(workspaceDir, file));
        entries.push(loaded.entry);
      }
    }
  }
  return { catalog: new JudgeCatalog(entries), problems };
}

async function loadJudgeFile(file: string, seen: Map<string, string>): Promise<{ entry?: JudgeEntry; problems: Problem[] }> {
  const text = await fs.readFile(file, 'utf8');
  const { value, doc, problems } = validateYaml(text, file, JudgeFile);
  if (!value) return { problems };
  const def = value;

  const previous = seen.get(def.id);
  if (previous) problems.push(problemAt(doc, ['id'], `id: judge id "${def.id}" is already used by ${previous}; judge ids must be unique`));

  let check: CheckDef | undefined;
  if (def.kind === 'check') {
    check = BUILTIN_CHECKS.get(def.check!);
    if (!check) problems.push(problemAt(doc, ['check'], `check: unknown built-in check "${def.check}"; expected one of: ${[...BUILTIN_CHECKS.keys()].join(', ')}`));
  }
  if (def.kind === 'module') check = BUILTIN_CHECKS.get('module');
  if (def.instructions !== undefined) {
    for (const name of unknownVariables(def.instructions)) {
      problems.push(problemAt(doc, ['instructions'], `instructions: unknown template variable {{ ${name} }}; expected {{ inputs }}, {{ outputs }}, {{ expectations }} or {{ trace }}`, 'warning'));
    }
  }
  if (check && def.kind === 'check') {
    // Defaults may be partial (the scenario supplies the rest): report unknown keys and wrong
    // values of keys that are present, not missing keys or rules about the whole argument set.
    const parsed = check.args.safeParse(def.with);
    if (!parsed.success) {
      const present = (p: PropertyKey[]) => p.length > 0 && String(p[0]) in def.with;
      const wrong = parsed.error.issues.filter((i) => i.code === 'unrecognized_keys' || (i.code !== 'custom' && present(i.path)));
      for (const line of describeArgIssues({ ...parsed.error, issues: wrong } as typeof parsed.error)) problems.push(problemAt(doc, ['with'], line));
    }
  }
  if (problems.some((p) => p.severity === 'error')) return { problems };

  const kind: JudgeKind = def.kind === 'llm' && usesTrace(def.instructions ?? '') ? 'agentic' : def.kind;
  const entry: JudgeEntry = { id: def.id, kind, version: def.version, description: def.description ?? `${kind} judge from ${path.basename(file)}`, file, def };
  if (check) entry.check = check;
  return { entry, problems };
}
