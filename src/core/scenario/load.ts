/**
 * Loads a coSTAR workspace: costar.yaml plus every *.scenario.yaml, validated, with every
 * problem positioned at file:line:col. One bad file never hides the others: each file is
 * read and checked on its own, and a file with one bad scenario still yields its good ones.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Expectation, Scenario, ScenarioFile, WorkspaceConfig, type ExpectationDef, type ScenarioDef } from './schema';
import { formatBytes, readUserFile, stripBom, UserFileError } from '../util/userFile';
import { PROMPT_ENV_MAX_BYTES, promptFitsEnv } from './prompt';
import { formatPath, keyRangeOf, nearestRange, problemAt, problemsForIssues, rangeOf, sortProblems, validateYaml, type Problem, type Range, type YamlDoc } from './yamlSource';
import type { JudgeEntry } from '../judges/catalog';
import { expectationArgIssues } from '../judges/checkArgs';
import { COSTAR_DIR } from '../layout';

export const CONFIG_FILE_NAME = 'costar.yaml';
export const SCENARIO_FILE_SUFFIX = '.scenario.yaml';
/** Folders never searched for scenarios: dependencies, VCS data, our own output, build output. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', '.git', COSTAR_DIR, 'dist']);

export interface LoadedScenario {
  def: ScenarioDef;
  /** The agent that runs it: `def.agent`, or the only agent of costar.yaml when omitted. */
  agentName: string;
  /** Absolute path of the scenario file. */
  file: string;
  /** Path relative to the workspace, '/'-separated. */
  relFile: string;
  /** The scenario's mapping node. */
  range: Range;
  idRange: Range;
  /** One range per entry of `def.expectations`, same order. */
  expectationRanges: Range[];
}

export interface LoadedScenarioFile {
  file: string;
  relFile: string;
  /** The scenarios of this file that have no error of their own. */
  scenarios: LoadedScenario[];
  problems: Problem[];
}

export interface LoadedWorkspace {
  workspaceDir: string;
  configFile: string;
  /** Absent when costar.yaml is missing or invalid (see problems). */
  config?: WorkspaceConfig;
  /** Every runnable scenario, ordered by file then position; ids are unique. */
  scenarios: LoadedScenario[];
  files: LoadedScenarioFile[];
  /** Every problem of the workspace (config and scenario files), sorted by file and position. */
  problems: Problem[];
}

export interface LoadOptions {
  /** Ids of the judges that exist; when given, expectations naming other judges are errors. */
  knownJudges?: ReadonlySet<string>;
  /** The judges themselves; when given, every check's `with:` is validated as a run would. */
  judges?: JudgeLookup;
  /** Absolute file path → text, for unsaved editor buffers; wins over the file on disk. */
  overrides?: ReadonlyMap<string, string>;
  /** costar.yaml as the caller already loaded it (with the same overrides), so it is read once. */
  loadedConfig?: LoadedConfig;
}

export interface ScenarioFileContext {
  workspaceDir: string;
  /** Without a config (missing or invalid costar.yaml), agent checks are skipped. */
  config?: WorkspaceConfig;
  knownJudges?: ReadonlySet<string>;
  judges?: JudgeLookup;
}

/** The part of the judge catalog scenario validation needs. */
export interface JudgeLookup {
  get(id: string): JudgeEntry | undefined;
}

export interface LoadedConfig {
  configFile: string;
  config?: WorkspaceConfig;
  doc?: YamlDoc;
  problems: Problem[];
}

/** Loads costar.yaml and every scenario file of the workspace. Never throws for bad user files. */
export async function loadWorkspace(workspaceDir: string, opts: LoadOptions = {}): Promise<LoadedWorkspace> {
  const root = path.resolve(workspaceDir);
  const overrides = opts.overrides ?? new Map<string, string>();
  const loadedConfig = opts.loadedConfig ?? (await loadConfig(root, overrides));
  const { config, configFile } = loadedConfig;
  const problems = [...loadedConfig.problems];

  const { files: scenarioPaths, problems: discoveryProblems } = await discoverScenarioFiles(root, loadedConfig, overrides);
  problems.push(...discoveryProblems);

  const ctx: ScenarioFileContext = { workspaceDir: root, config, knownJudges: opts.knownJudges, ...(opts.judges ? { judges: opts.judges } : {}) };
  const files = await Promise.all(
    scenarioPaths.map(async (file) => {
      const text = await readText(file, overrides);
      if (typeof text !== 'string') return unreadableFile(root, file, text);
      return parseScenarioFile(text, file, ctx);
    }),
  );

  const scenarios = dropDuplicateIds(files);
  for (const file of files) sortProblems(file.problems);
  problems.push(...files.flatMap((f) => f.problems));
  return { workspaceDir: root, configFile, config, scenarios, files, problems: sortProblems(problems) };
}

/** Reads and validates costar.yaml; a missing file is a problem, not a crash. */
export async function loadConfig(workspaceDir: string, overrides: ReadonlyMap<string, string> = new Map()): Promise<LoadedConfig> {
  const configFile = path.join(path.resolve(workspaceDir), CONFIG_FILE_NAME);
  const text = await readText(configFile, overrides);
  if (typeof text !== 'string') {
    const message =
      text.code === 'ENOENT'
        ? `no ${CONFIG_FILE_NAME} in ${path.dirname(configFile)}: create one that declares your agents, e.g. "agents: { my-agent: { command: [node, agent.mjs] } }"`
        : `cannot read ${CONFIG_FILE_NAME}: ${text.message}`;
    return { configFile, problems: [fileProblem(configFile, message)] };
  }
  const { value, doc, problems } = validateYaml(text, configFile, WorkspaceConfig);
  return { configFile, config: value, doc, problems };
}

/**
 * Parses one scenario file (the editor calls this for unsaved buffers). Checks everything
 * that one file can get wrong, including references to costar.yaml, judges and fixtures;
 * duplicate ids across files are checked by loadWorkspace.
 */
export function parseScenarioFile(text: string, file: string, ctx: ScenarioFileContext): LoadedScenarioFile {
  const absFile = path.resolve(file);
  const relFile = toRelFile(ctx.workspaceDir, absFile);
  const { value, doc, problems } = validateYaml(text, absFile, ScenarioFile);
  const defs = value ? value.scenarios.map((def, index) => ({ def, index })) : validScenariosOf(doc);

  // A scenario that breaks the schema (say a bad timeout) is not runnable, but its
  // expectations still get checked now, so one `costar validate` reports every problem.
  const valid = new Set(defs.map((d) => d.index));
  for (const { expectations, index } of expectationsOfInvalidScenarios(doc, valid)) {
    checkExpectations(doc, expectations, (sub) => ['scenarios', index, ...sub], ctx, problems);
  }

  const scenarios: LoadedScenario[] = [];
  for (const { def, index } of defs) {
    const at = (sub: readonly PropertyKey[]) => ['scenarios', index, ...sub];
    const own: Problem[] = [];
    const agentName = resolveAgent(doc, def, at, ctx.config, own);
    checkSetupFiles(doc, def, at, own);
    if (!promptFitsEnv(def.prompt)) {
      own.push(problemAt(doc, at(['prompt']), `prompt: ${formatBytes(Buffer.byteLength(def.prompt, 'utf8'))} is more than COSTAR_PROMPT can hold (${formatBytes(PROMPT_ENV_MAX_BYTES)}): the agent gets it on stdin and in the file named by COSTAR_PROMPT_FILE, and COSTAR_PROMPT is not set`, 'warning'));
    }
    checkExpectations(doc, def.expectations, at, ctx, own);
    problems.push(...own);
    if (own.some((p) => p.severity === 'error')) continue;
    scenarios.push({
      def,
      agentName,
      file: absFile,
      relFile,
      range: rangeOf(doc, at([])) ?? nearestRange(doc, at([])),
      idRange: nearestRange(doc, at(['id'])),
      expectationRanges: def.expectations.map((_, j) => nearestRange(doc, at(['expectations', j]))),
    });
  }
  return { file: absFile, relFile, scenarios, problems: sortProblems(problems) };
}

// ---------------------------------------------------------------------------------------

/** The `scenarios:` list as plain data, or [] when the YAML itself is broken. */
function rawScenarios(doc: YamlDoc): unknown[] {
  if (doc.document.errors.length > 0) return [];
  let data: unknown;
  try {
    data = doc.document.toJS({ maxAliasCount: 1000 });
  } catch {
    return [];
  }
  const items = (data as { scenarios?: unknown } | null)?.scenarios;
  return Array.isArray(items) ? items : [];
}

/**
 * When the file as a whole is invalid, still keep the scenarios that are valid on their own,
 * so that one typo doesn't remove its neighbours from the Test Explorer. Their problems are
 * already reported by the whole-file validation.
 */
function validScenariosOf(doc: YamlDoc): { def: ScenarioDef; index: number }[] {
  return rawScenarios(doc).flatMap((item, index) => {
    const parsed = Scenario.safeParse(item);
    return parsed.success ? [{ def: parsed.data, index }] : [];
  });
}

function resolveAgent(doc: YamlDoc, def: ScenarioDef, at: (sub: readonly PropertyKey[]) => PropertyKey[], config: WorkspaceConfig | undefined, out: Problem[]): string {
  if (!config) return def.agent ?? '';
  const known = Object.keys(config.agents).sort();
  if (def.agent !== undefined) {
    if (!config.agents[def.agent]) {
      const list = known.length > 0 ? `costar.yaml defines: ${known.join(', ')}` : 'costar.yaml defines no agents yet: add one under "agents:"';
      out.push(problemAt(doc, at(['agent']), `unknown agent "${def.agent}"; ${list}`));
    }
    return def.agent;
  }
  if (known.length === 1) return known[0]!;
  const message =
    known.length === 0
      ? `scenario "${def.id}" has no agent to run: costar.yaml defines no agents; add one under "agents:"`
      : `scenario "${def.id}" must name its agent ("agent: ..."): costar.yaml defines several: ${known.join(', ')}`;
  out.push(problemAt(doc, at(['id']), message));
  return '';
}

function checkSetupFiles(doc: YamlDoc, def: ScenarioDef, at: (sub: readonly PropertyKey[]) => PropertyKey[], out: Problem[]): void {
  const scenarioDir = path.dirname(doc.file);
  for (const [sandboxPath, source] of Object.entries(def.setup.files)) {
    const entry = at(['setup', 'files', sandboxPath]);
    const where = keyRangeOf(doc, entry);
    const sandboxError = sandboxPathError(sandboxPath);
    if (sandboxError) {
      out.push({ file: doc.file, ...(where ?? nearestRange(doc, entry)), severity: 'error', message: `${formatPath(entry)}: ${sandboxError}` });
    }
    const sourcePath = path.resolve(scenarioDir, source);
    if (!existsSync(sourcePath)) {
      out.push(problemAt(doc, entry, `setup file source "${source}" does not exist (looked for ${sourcePath}; paths are relative to this scenario file)`));
    }
  }
}

/** Sandbox paths must stay inside the sandbox, whatever the OS of the teammate who runs them. */
export function sandboxPathError(sandboxPath: string): string | undefined {
  const slashed = sandboxPath.replace(/\\/g, '/');
  if (slashed.trim() === '') return 'expected a sandbox path relative to the sandbox, e.g. data/input.csv';
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) {
    return `sandbox path "${sandboxPath}" is absolute; expected a path relative to the sandbox, e.g. data/input.csv`;
  }
  const normal = path.posix.normalize(slashed);
  if (normal === '..' || normal.startsWith('../')) {
    return `sandbox path "${sandboxPath}" leaves the sandbox (".."); expected a path inside it, e.g. data/input.csv`;
  }
  return undefined;
}

/** Judge references and check arguments; `expectations` may have holes (entries that broke the schema). */
function checkExpectations(doc: YamlDoc, expectations: readonly (ExpectationDef | undefined)[], at: (sub: readonly PropertyKey[]) => PropertyKey[], ctx: ScenarioFileContext, out: Problem[]): void {
  expectations.forEach((expectation, j) => {
    if (!expectation) return;
    if (ctx.knownJudges && !ctx.knownJudges.has(expectation.judge)) {
      const known = [...ctx.knownJudges].sort();
      const list = known.length > 0 ? `known judges: ${known.join(', ')}` : 'no judges are defined';
      out.push(problemAt(doc, at(['expectations', j, 'judge']), `unknown judge "${expectation.judge}"; ${list}`));
      return;
    }
    // A built-in or wrapped check's arguments, checked now rather than as an 'error' verdict at run time.
    const entry = ctx.judges?.get(expectation.judge);
    if (!entry?.check) return;
    const issues = expectationArgIssues(entry, expectation.with);
    if (issues.length > 0) out.push(...problemsForIssues(doc, at(['expectations', j, 'with']), entry.check.args, issues));
  });
}

/** The expectations of the scenarios that are not valid as a whole, each parsed on its own. */
function expectationsOfInvalidScenarios(doc: YamlDoc, valid: ReadonlySet<number>): { index: number; expectations: (ExpectationDef | undefined)[] }[] {
  const items = rawScenarios(doc);
  return items.flatMap((item, index) => {
    const raw = (item as { expectations?: unknown } | null)?.expectations;
    if (valid.has(index) || !Array.isArray(raw)) return [];
    return [{ index, expectations: raw.map((e) => {
      const parsed = Expectation.safeParse(e);
      return parsed.success ? parsed.data : undefined;
    }) }];
  });
}

/**
 * Scenario ids name traces, results and test items, so they must be unique in the workspace.
 * Both places get a problem; the first (in file order) stays runnable, later ones are dropped.
 */
function dropDuplicateIds(files: LoadedScenarioFile[]): LoadedScenario[] {
  const firstById = new Map<string, LoadedScenario>();
  const kept: LoadedScenario[] = [];
  for (const file of files) {
    file.scenarios = file.scenarios.filter((scenario) => {
      const first = firstById.get(scenario.def.id);
      if (!first) {
        firstById.set(scenario.def.id, scenario);
        kept.push(scenario);
        return true;
      }
      const firstFile = files.find((f) => f.file === first.file)!;
      firstFile.problems.push({
        file: first.file,
        ...first.idRange,
        severity: 'error',
        message: `duplicate scenario id "${first.def.id}": also used at ${scenario.relFile}:${scenario.idRange.line}:${scenario.idRange.column}`,
      });
      file.problems.push({
        file: scenario.file,
        ...scenario.idRange,
        severity: 'error',
        message: `duplicate scenario id "${scenario.def.id}": already used at ${first.relFile}:${first.idRange.line}:${first.idRange.column}; this one is skipped until it is renamed`,
      });
      return false;
    });
  }
  return kept;
}

/** The scenario search stops after this many folder entries: a workspace is not a whole disk. */
export const MAX_WALK_ENTRIES = 200_000;
/** …and does not descend deeper than this. */
const MAX_WALK_DEPTH = 40;

/** Finds *.scenario.yaml under the configured folders (default: the whole workspace), sorted. */
async function discoverScenarioFiles(root: string, loaded: LoadedConfig, overrides: ReadonlyMap<string, string>): Promise<{ files: string[]; problems: Problem[] }> {
  const problems: Problem[] = [];
  const folders = loaded.config?.scenarios ?? ['.'];
  const roots: string[] = [];
  const realRoot = await realpathOr(root);
  const folderProblem = (index: number, message: string) => {
    problems.push(loaded.doc ? problemAt(loaded.doc, ['scenarios', index], message) : fileProblem(loaded.configFile, message));
  };
  for (const [index, folder] of folders.entries()) {
    const abs = path.resolve(root, folder);
    if (!existsSync(abs)) {
      folderProblem(index, `scenario folder "${folder}" does not exist (looked for ${abs}; paths are relative to costar.yaml)`);
      continue;
    }
    // A cloned repository must not make the editor or CI walk the disk: `scenarios: [/]`,
    // "../..", or a symlink that leads out of the workspace are refused.
    const real = await realpathOr(abs);
    if (!isInsideOrSame(root, abs) || !isInsideOrSame(realRoot, real)) {
      folderProblem(index, `scenario folder "${folder}" is outside the workspace (${real}); list folders inside ${root}`);
      continue;
    }
    roots.push(abs);
  }

  const found = new Set<string>();
  const budget = { entries: MAX_WALK_ENTRIES };
  for (const dir of roots) for (const file of await walk(dir, budget, 0)) found.add(file);
  if (budget.entries < 0) {
    const message = `stopped looking for scenario files after ${MAX_WALK_ENTRIES.toLocaleString('en-US')} folder entries; name the folders that hold them in costar.yaml, e.g. "scenarios: [suites]"`;
    problems.push(loaded.doc ? { ...problemAt(loaded.doc, loaded.config?.scenarios ? ['scenarios'] : [], message), severity: 'warning' } : { ...fileProblem(loaded.configFile, message), severity: 'warning' });
  }
  // Unsaved buffers of files not yet on disk still belong to the workspace.
  for (const file of overrides.keys()) {
    const abs = path.resolve(file);
    if (abs.endsWith(SCENARIO_FILE_SUFFIX) && roots.some((r) => isInside(r, abs))) found.add(abs);
  }
  const files = [...found].sort((a, b) => {
    const ra = toRelFile(root, a);
    const rb = toRelFile(root, b);
    return ra < rb ? -1 : ra > rb ? 1 : 0;
  });
  return { files, problems };
}

async function walk(dir: string, budget: { entries: number }, depth: number): Promise<string[]> {
  if (depth > MAX_WALK_DEPTH || budget.entries < 0) return [];
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return []; // unreadable folders are not ours to judge
  }
  const out: string[] = [];
  for (const entry of entries) {
    if (--budget.entries < 0) break;
    const full = path.join(dir, entry.name);
    // Symlinked folders are not followed: they can form cycles or lead out of the workspace.
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) out.push(...(await walk(full, budget, depth + 1)));
    } else if (entry.name.endsWith(SCENARIO_FILE_SUFFIX)) {
      // Symlinks, FIFOs and devices too: readUserFile refuses anything but a regular file with
      // a problem that says what it is, rather than the file silently missing from the suite.
      out.push(full);
    }
  }
  return out;
}

async function realpathOr(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    return file;
  }
}

function isInsideOrSame(parent: string, child: string): boolean {
  return path.resolve(parent) === path.resolve(child) || isInside(parent, child);
}

async function readText(file: string, overrides: ReadonlyMap<string, string>): Promise<string | UserFileError> {
  const override = overrides.get(file);
  if (override !== undefined) return stripBom(override);
  try {
    return await readUserFile(file);
  } catch (error) {
    if (error instanceof UserFileError) return error;
    throw error;
  }
}

function unreadableFile(root: string, file: string, error: UserFileError): LoadedScenarioFile {
  return { file, relFile: toRelFile(root, file), scenarios: [], problems: [fileProblem(file, `cannot read this scenario file: ${error.message}`)] };
}

function fileProblem(file: string, message: string): Problem {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1, message, severity: 'error' };
}

function toRelFile(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
