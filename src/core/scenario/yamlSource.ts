/**
 * Schema-agnostic YAML + zod validation that keeps source positions, so that every problem
 * in a user's file (syntax error, wrong type, unknown key…) names file:line:col and what is
 * expected. Used for costar.yaml, *.scenario.yaml and judge files alike.
 */
import * as path from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Node, type Pair } from 'yaml';
import type { z } from 'zod';

/** A span of text; lines and columns are 1-based, the end is exclusive (like an editor selection). */
export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type Severity = 'error' | 'warning';

export interface Problem extends Range {
  /** Absolute path of the file the problem is in. */
  file: string;
  /** Says what is wrong and what is expected, e.g. 'expected a duration such as "30s"…'. */
  message: string;
  severity: Severity;
}

/** A path into a YAML document: map keys and sequence indexes, as in zod issue paths. */
export type YamlPath = readonly PropertyKey[];

/** A parsed YAML file with what is needed to turn node offsets into lines and columns. */
export interface YamlDoc {
  file: string;
  text: string;
  document: Document.Parsed;
  /** Offset where each line starts; lines end at \n, \r\n or \r, as in VS Code. */
  lineStarts: number[];
}

export interface ValidationResult<T> {
  /** Present only when the file parsed and validated without errors. */
  value?: T;
  doc: YamlDoc;
  problems: Problem[];
}

/** Parses YAML text keeping positions; syntax errors and warnings become Problems. */
export function parseYaml(text: string, file: string): { doc: YamlDoc; problems: Problem[] } {
  // uniqueKeys (the default) makes duplicate keys a syntax error, which users want to see.
  // logLevel 'error': the library would print some warnings to stderr itself (process.emitWarning),
  // without a position; collectionKeyProblems reports the one that matters here, positioned.
  const document = parseDocument(text, { prettyErrors: false, logLevel: 'error' });
  const doc: YamlDoc = { file: path.resolve(file), text, document, lineStarts: lineStartsOf(text) };
  const problems = [
    ...document.errors.map((e) => syntaxProblem(doc, e.pos, e.message, 'error')),
    ...document.warnings.map((w) => syntaxProblem(doc, w.pos, w.message, 'warning')),
    ...collectionKeyProblems(doc),
  ];
  return { doc, problems };
}

/**
 * `? [a, b]: c` or `{a: 1}: c` — a mapping or list used as a key. JavaScript objects can only
 * have text keys, so the library would silently turn it into "[a, b]"; no coSTAR file means that.
 */
function collectionKeyProblems(doc: YamlDoc): Problem[] {
  const problems: Problem[] = [];
  visit(doc.document, {
    Pair(_, pair) {
      const key = pair.key;
      if ((isMap(key) || isSeq(key)) && key.range) {
        problems.push(problemAtOffsets(doc, key.range[0], key.range[1], `a ${isMap(key) ? 'mapping' : 'list'} cannot be a key; write a plain key such as "name:"`, 'error'));
      }
    },
  });
  return problems;
}

/**
 * The parser notices unclosed quotes and brackets only at the end of the text, often a blank
 * line; point at the last character written instead, where the user can see it.
 */
function syntaxProblem(doc: YamlDoc, [start, end]: [number, number], message: string, severity: Severity): Problem {
  const contentEnd = doc.text.trimEnd().length;
  if (contentEnd > 0 && start >= contentEnd) return problemAtOffsets(doc, contentEnd - 1, contentEnd, firstLine(message), severity);
  return problemAtOffsets(doc, start, end, firstLine(message), severity);
}

/**
 * Parses and validates YAML text against a zod schema. Every zod issue becomes a Problem
 * positioned at the node its path points to. Schema checks are skipped when the YAML itself
 * does not parse: errors about a half-understood document would only mislead.
 */
export function validateYaml<S extends z.ZodType>(text: string, file: string, schema: S): ValidationResult<z.output<S>> {
  const { doc, problems } = parseYaml(text, file);
  if (problems.some((p) => p.severity === 'error')) return { doc, problems: sortProblems(problems) };

  let data: unknown;
  try {
    data = doc.document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // e.g. an alias bomb ("billion laughs") or an alias to an anchor defined later.
    problems.push(problemAtOffsets(doc, 0, 0, `cannot read this YAML: ${(error as Error).message}`, 'error'));
    return { doc, problems: sortProblems(problems) };
  }

  const result = schema.safeParse(data);
  if (result.success) return { value: result.data as z.output<S>, doc, problems: sortProblems(problems) };
  for (const issue of result.error.issues) problems.push(...problemsFromIssue(doc, schema, issue, []));
  return { doc, problems: sortProblems(problems) };
}

/** The range of the node at `path` (its value; a key-only entry yields the key), or undefined when absent. */
export function rangeOf(doc: YamlDoc, yamlPath: YamlPath): Range | undefined {
  const found = resolvePath(doc, yamlPath);
  if (found.depth !== yamlPath.length) return undefined;
  const node = found.node ?? found.key;
  return node ? nodeRange(doc, node) : undefined;
}

/** The range of the key of the map entry at `path`, or undefined when absent (or a sequence item). */
export function keyRangeOf(doc: YamlDoc, yamlPath: YamlPath): Range | undefined {
  const found = resolvePath(doc, yamlPath);
  return found.depth === yamlPath.length && found.key ? nodeRange(doc, found.key) : undefined;
}

/**
 * The best range for something about `path`: the node itself when it exists; otherwise the
 * nearest existing ancestor, narrowed to its key (or its first line) so that a missing field
 * doesn't underline a whole block.
 */
export function nearestRange(doc: YamlDoc, yamlPath: YamlPath): Range {
  const found = resolvePath(doc, yamlPath);
  if (found.depth === yamlPath.length) {
    const node = found.node ?? found.key;
    if (node) return nodeRange(doc, node);
  }
  if (found.key) return nodeRange(doc, found.key);
  if (found.node?.range) return firstLineOf(doc, found.node.range[0], found.node.range[1]);
  return firstLineOf(doc, 0, doc.text.length);
}

/** A Problem about the node at `path` (or its nearest ancestor, see nearestRange). */
export function problemAt(doc: YamlDoc, yamlPath: YamlPath, message: string, severity: Severity = 'error'): Problem {
  return { file: doc.file, ...nearestRange(doc, yamlPath), message, severity };
}

/** `file:line:col: error: message`, with the file relative to `relativeTo` when given. */
export function formatProblem(problem: Problem, relativeTo?: string): string {
  const file = relativeTo ? path.relative(relativeTo, problem.file).split(path.sep).join('/') || problem.file : problem.file;
  return `${escapeFileName(file)}:${problem.line}:${problem.column}: ${problem.severity}: ${problem.message}`;
}

/**
 * A file name as one line of text: a newline or another control character in it would split
 * `file:line:col` (and fool whatever parses the output), so they are written as escapes
 * (\n, \t, \x1b, \u2028), and a backslash as \\ so the escapes are unambiguous.
 */
export function escapeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    if (ch === '\\') return path.sep === '\\' ? ch : '\\\\';
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    const code = ch.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** Orders problems by file, then position, so output is stable and reads top to bottom. */
export function compareProblems(a: Problem, b: Problem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || a.endLine - b.endLine || a.endColumn - b.endColumn || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort(compareProblems);
}

/** Renders a zod issue path the way users write it: scenarios[0].setup.files. */
export function formatPath(yamlPath: YamlPath): string {
  let out = '';
  for (const segment of yamlPath) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const name = String(segment);
      out += /^[A-Za-z_][\w-]*$/.test(name) ? (out ? `.${name}` : name) : `[${JSON.stringify(name)}]`;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------

interface Resolved {
  /** How many path segments were found. */
  depth: number;
  /** The node reached (undefined for a key with an empty value). */
  node: Node | undefined;
  /** The key node of the last map entry reached, if the last step went through a map. */
  key: Node | undefined;
}

function resolvePath(doc: YamlDoc, yamlPath: YamlPath): Resolved {
  let node = deref(doc, doc.document.contents ?? undefined);
  let key: Node | undefined;
  let depth = 0;
  for (const segment of yamlPath) {
    if (!node) break;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item) === String(segment));
      if (!pair) break;
      key = isNodeLike(pair.key) ? pair.key : undefined;
      node = deref(doc, isNodeLike(pair.value) ? pair.value : undefined);
    } else if (isSeq(node) && typeof segment === 'number' && segment >= 0 && segment < node.items.length) {
      key = undefined;
      const item = node.items[segment];
      node = deref(doc, isNodeLike(item) ? item : undefined);
    } else break;
    depth++;
  }
  return { depth, node, key };
}

function deref(doc: YamlDoc, node: Node | undefined): Node | undefined {
  if (node && isAlias(node)) return (node.resolve(doc.document) as Node | undefined) ?? node;
  return node;
}

function isNodeLike(value: unknown): value is Node {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value);
}

function keyText(pair: Pair<unknown, unknown>): string | undefined {
  if (!isPair(pair)) return undefined;
  const key = pair.key;
  if (isScalar(key)) return String(key.value);
  return key === null || key === undefined ? undefined : String(key);
}

function nodeRange(doc: YamlDoc, node: Node): Range {
  const [start, end] = node.range ?? [0, 0];
  return rangeFromOffsets(doc, start, end);
}

function rangeFromOffsets(doc: YamlDoc, start: number, end: number): Range {
  const clampedStart = Math.max(0, Math.min(start, doc.text.length));
  const clampedEnd = Math.max(clampedStart, Math.min(end, doc.text.length));
  const from = positionOf(doc, clampedStart);
  const to = positionOf(doc, clampedEnd);
  return { line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
}

/**
 * Our own line index rather than yaml's LineCounter, which misses the line breaks inside
 * some tokens (e.g. a stray multi-line scalar) and would then place problems past the text.
 */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 /* \n */ || (ch === 13 /* \r */ && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

function positionOf(doc: YamlDoc, offset: number): { line: number; column: number } {
  const starts = doc.lineStarts;
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  const lineStart = starts[low]!;
  // An offset on a line break (e.g. between \r and \n) belongs to the end of its line.
  const lineEnd = low + 1 < starts.length ? starts[low + 1]! - lineBreakLength(doc.text, starts[low + 1]!) : doc.text.length;
  return { line: low + 1, column: Math.min(offset, lineEnd) - lineStart + 1 };
}

function lineBreakLength(text: string, nextLineStart: number): number {
  return text.charCodeAt(nextLineStart - 1) === 10 && text.charCodeAt(nextLineStart - 2) === 13 ? 2 : 1;
}

function firstLineOf(doc: YamlDoc, start: number, end: number): Range {
  const lineBreak = doc.text.slice(start).search(/[\r\n]/);
  const lineEnd = lineBreak === -1 ? doc.text.length : start + lineBreak;
  return rangeFromOffsets(doc, start, Math.min(end, lineEnd));
}

function problemAtOffsets(doc: YamlDoc, start: number, end: number, message: string, severity: Severity): Problem {
  return { file: doc.file, ...rangeFromOffsets(doc, start, end), message, severity };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/**
 * Problems for zod issues of a value found at `at` in the document, validated by `schema`
 * on its own (e.g. a check's `with:` arguments), positioned like schema problems of the file.
 */
export function problemsForIssues(doc: YamlDoc, at: YamlPath, schema: z.ZodType, issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.flatMap((issue) => problemsFromIssue(doc, schema, issue, at, at));
}

/** One zod issue → Problems (unknown keys and unions can yield several). `schemaAt`: where in the document `schema` applies. */
function problemsFromIssue(doc: YamlDoc, schema: z.ZodType, issue: z.core.$ZodIssue, prefix: YamlPath, schemaAt: YamlPath = []): Problem[] {
  const issuePath = [...prefix, ...issue.path];
  const at = (p: YamlPath, message: string): Problem => problemAt(doc, p, `${formatPath(p) || 'document'}: ${message}`);

  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((name) => {
        const keyPath = [...issuePath, name];
        const range = keyRangeOf(doc, keyPath) ?? nearestRange(doc, issuePath);
        const allowed = allowedKeys(schema, issuePath.slice(schemaAt.length));
        const hint = allowed.length > 0 ? `; expected one of: ${allowed.join(', ')}` : '';
        return { file: doc.file, ...range, severity: 'error' as const, message: `${formatPath(keyPath)}: unknown key "${name}"${hint}` };
      });
    case 'invalid_key': {
      const range = keyRangeOf(doc, issuePath) ?? nearestRange(doc, issuePath);
      const detail = issue.issues.map((i) => i.message).join('; ');
      return [{ file: doc.file, ...range, severity: 'error', message: `${formatPath(issuePath)}: invalid key "${String(issuePath.at(-1))}": ${detail}` }];
    }
    case 'invalid_union': {
      // A branch whose issues are all below the root matched the shape; its issues are the useful ones.
      const deep = issue.errors.find((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
      if (deep) return deep.flatMap((i) => problemsFromIssue(doc, schema, i, issuePath, schemaAt));
      const expected = [...new Set(issue.errors.flat().map(expectedOf).filter((e): e is string => !!e))];
      const message = expected.length > 0 ? `expected ${expected.join(' or ')}, got ${describeActual(doc, issuePath)}` : issue.message;
      return [at(issuePath, message)];
    }
    case 'invalid_type': {
      const present = resolvePath(doc, issuePath).depth === issuePath.length;
      if (!present && issuePath.length > 0) {
        return [at(issuePath, `missing required key "${String(issuePath.at(-1))}" (expected ${describeExpected(issue.expected)})`)];
      }
      return [at(issuePath, `expected ${describeExpected(issue.expected)}, got ${describeActual(doc, issuePath)}`)];
    }
    case 'invalid_value':
      return [at(issuePath, `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describeActual(doc, issuePath)}`)];
    case 'too_small':
    case 'too_big':
      // zod's defaults read "Too small: expected number to be >=1"; keep the useful half.
      return [at(issuePath, issue.message.replace(/^Too (small|big): /, ''))];
    default:
      return [at(issuePath, issue.message)];
  }
}

function expectedOf(issue: z.core.$ZodIssue): string | undefined {
  if (issue.path.length > 0) return undefined;
  if (issue.code === 'invalid_type') return describeExpected(issue.expected);
  if (issue.code === 'invalid_value') return issue.values.map((v) => JSON.stringify(v)).join(' or ');
  return undefined;
}

function describeExpected(expected: string): string {
  if (expected === 'record' || expected === 'object') return 'a mapping (key: value)';
  if (expected === 'array') return 'a list';
  return `a ${expected}`;
}

/** What the user wrote at `path`, in YAML words: 'a list', 'the number 3', 'nothing'. */
function describeActual(doc: YamlDoc, yamlPath: YamlPath): string {
  const found = resolvePath(doc, yamlPath);
  if (found.depth !== yamlPath.length) return 'nothing';
  const node = found.node;
  if (!node) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const value = node.value;
    if (value === null || value === undefined) return 'nothing (an empty value)';
    if (typeof value === 'string') return `the text ${JSON.stringify(truncate(value))}`;
    if (typeof value === 'number' || typeof value === 'bigint') return `the number ${String(value)}`;
    if (typeof value === 'boolean') return `the boolean ${String(value)}`;
    return `a ${typeof value}`;
  }
  return 'something else';
}

/** For unknown keys: the keys the schema allows at `path`, to help spot typos. */
function allowedKeys(schema: z.ZodType, yamlPath: YamlPath): string[] {
  const keys = new Set<string>();
  for (const object of schemasAt(schema as unknown as z.core.$ZodType, yamlPath, 0)) {
    const def = object._zod.def;
    if (def.type === 'object') for (const key of Object.keys((def as z.core.$ZodObjectDef).shape)) keys.add(key);
  }
  return [...keys];
}

/** Walks a zod schema along a data path, through wrappers, lists, records and union branches. */
function schemasAt(schema: z.core.$ZodType, yamlPath: YamlPath, index: number): z.core.$ZodType[] {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return schemasAt(def.innerType as z.core.$ZodType, yamlPath, index);
    case 'pipe':
      return schemasAt(def.in as z.core.$ZodType, yamlPath, index);
    case 'union':
      return (def.options as z.core.$ZodType[]).flatMap((option) => schemasAt(option, yamlPath, index));
  }
  if (index === yamlPath.length) return [schema];
  const segment = yamlPath[index]!;
  if (def.type === 'object') {
    const child = (def.shape as Record<string, z.core.$ZodType>)[String(segment)];
    return child ? schemasAt(child, yamlPath, index + 1) : [];
  }
  if (def.type === 'array') return schemasAt(def.element as z.core.$ZodType, yamlPath, index + 1);
  if (def.type === 'record') return schemasAt(def.valueType as z.core.$ZodType, yamlPath, index + 1);
  return [];
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
