/**
 * The judges a workspace can reference: the built-in checks plus every `*.judge.yaml` in the
 * judge folders (costar.yaml `judges:`, default `judges/`). Judge files are validated with
 * source positions, like scenarios; a broken file is reported and left out, the rest load.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { WorkspaceConfig } from '../scenario/schema';
import { parseYaml, problemAt, validateYaml, type Problem, type YamlDoc, type YamlPath } from '../scenario/yamlSource';
import { readUserFile, UserFileError } from '../util/userFile';
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
  /** The judge file (absolute; costar.yaml for inline judges), absent for built-ins. */
  file?: string;
  /** Defined inline in costar.yaml rather than in a file of its own. */
  inline?: boolean;
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
  const sources = config.judges === undefined ? ['judges'] : typeof config.judges === 'string' ? [config.judges] : config.judges;
  const configFile = path.join(workspaceDir, 'costar.yaml');
  // Inline definitions are validated against costar.yaml's own text so problems point into it.
  const configDoc = sources.some((s) => typeof s !== 'string') ? parseYaml(await readUserFile(configFile), configFile).doc : undefined;
  const add = (loaded: { entry?: JudgeEntry; problems: Problem[] }, origin: string) => {
    problems.push(...loaded.problems);
    if (loaded.entry) {
      seen.set(loaded.entry.id, origin);
      entries.push(loaded.entry);
    }
  };

  for (const [index, source] of sources.entries()) {
    if (typeof source !== 'string') {
      const at: YamlPath = typeof config.judges === 'string' ? ['judges'] : ['judges', index];
      add(checkJudgeDef(source, configDoc!, at, configFile, seen), `costar.yaml (judges[${index}])`);
      continue;
    }
    const dir = path.resolve(workspaceDir, source);
    let names: string[];
    try {
      names = (await fs.readdir(dir)).filter((n) => JUDGE_FILE_SUFFIXES.some((s) => n.endsWith(s))).sort();
    } catch (error) {
      // The default folder is optional; a folder the user named must exist.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && config.judges === undefined) continue;
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message;
      problems.push(await problemInConfig(configFile, typeof config.judges === 'string' ? ['judges'] : ['judges', index], `judges: cannot read the judge folder ${JSON.stringify(source)}: ${reason}`));
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      let text: string;
      try {
        text = await readUserFile(file);
      } catch (error) {
        if (!(error instanceof UserFileError)) throw error;
        problems.push({ file, line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', message: `cannot read this judge file: ${error.message}` });
        continue;
      }
      const { value, doc, problems: fileProblems } = validateYaml(text, file, JudgeFile);
      if (!value) problems.push(...fileProblems);
      else add(checkJudgeDef(value, doc, [], file, seen, fileProblems), path.relative(workspaceDir, file));
    }
  }
  return { catalog: new JudgeCatalog(entries), problems };
}

/** A problem at a node of costar.yaml (or its first line when the file cannot be parsed). */
async function problemInConfig(configFile: string, at: YamlPath, message: string): Promise<Problem> {
  try {
    return problemAt(parseYaml(await readUserFile(configFile), configFile).doc, at, message);
  } catch {
    return { file: configFile, line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', message };
  }
}

/**
 * The checks a schema cannot express (unique ids, known checks, template variables, check
 * defaults), for a judge from a file (`at` = []) or inline in costar.yaml (`at` = its path).
 */
function checkJudgeDef(def: JudgeFileDef, doc: YamlDoc, at: YamlPath, file: string, seen: Map<string, string>, problems: Problem[] = []): { entry?: JudgeEntry; problems: Problem[] } {
  const where = (key: string): YamlPath => [...at, key];
  const previous = seen.get(def.id);
  if (previous) problems.push(problemAt(doc, where('id'), `id: judge id "${def.id}" is already used by ${previous}; judge ids must be unique`));

  let check: CheckDef | undefined;
  if (def.kind === 'check') {
    check = BUILTIN_CHECKS.get(def.check!);
    if (!check) problems.push(problemAt(doc, where('check'), `check: unknown built-in check "${def.check}"; expected one of: ${[...BUILTIN_CHECKS.keys()].join(', ')}`));
  }
  if (def.kind === 'module') check = BUILTIN_CHECKS.get('module');
  if (def.instructions !== undefined) {
    for (const name of unknownVariables(def.instructions)) {
      problems.push(problemAt(doc, where('instructions'), `instructions: unknown template variable {{ ${name} }}; expected {{ inputs }}, {{ outputs }}, {{ expectations }} or {{ trace }}`, 'warning'));
    }
  }
  if (check && def.kind === 'check') {
    // Defaults may be partial (the scenario supplies the rest): report unknown keys and wrong
    // values of keys that are present, not missing keys or rules about the whole argument set.
    const parsed = check.args.safeParse(def.with);
    if (!parsed.success) {
      const present = (p: PropertyKey[]) => p.length > 0 && String(p[0]) in def.with;
      const wrong = parsed.error.issues.filter((i) => i.code === 'unrecognized_keys' || (i.code !== 'custom' && present(i.path)));
      for (const line of describeArgIssues({ ...parsed.error, issues: wrong } as typeof parsed.error)) problems.push(problemAt(doc, where('with'), line));
    }
  }
  if (problems.some((p) => p.severity === 'error')) return { problems };

  const kind: JudgeKind = def.kind === 'llm' && usesTrace(def.instructions ?? '') ? 'agentic' : def.kind;
  const origin = at.length === 0 ? path.basename(file) : 'costar.yaml';
  const entry: JudgeEntry = { id: def.id, kind, version: def.version, description: def.description ?? `${kind} judge from ${origin}`, file, def };
  if (check) entry.check = check;
  if (at.length > 0) entry.inline = true;
  return { entry, problems };
}
