/**
 * The refine assistant's tools: list_files, read_file, search and propose_edit, all confined
 * to the agent's source folders (see confinement.ts). A refused path or a bad argument comes
 * back to the model as an `error` answer it can act on. propose_edit only records a proposal
 * in memory: the toolbox never writes a file. Reads see the proposal so far, so several
 * edits to one file compose.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { ToolDefinition } from '../llm/types';
import type { ChangeSet, FileChange } from './changeSet';
import { SourceFolders, toSlash } from './confinement';
import { applyEditBlocks } from './editBlocks';
import { computeHunks } from './hunks';
import { callTool, type ToolSpec } from '../llm/tools';
import { compileRegex, ScanBudget } from '../util/safeRegex';
import { COSTAR_DIR } from '../layout';

const MAX_LISTED_FILES = 500;
const MAX_READ_CHARS = 20_000;
const MAX_FILE_BYTES = 1_000_000;
/** Folders inside a source folder that are never the agent's own code. */
const SKIPPED = new Set(['node_modules', '.git', COSTAR_DIR, '__pycache__', '.venv', 'dist']);

const ListFilesArgs = z.strictObject({
  path: z.string().optional().describe('A source folder or a folder inside one (workspace-relative); default: every source folder.'),
});
const ReadFileArgs = z.strictObject({
  path: z.string().describe('Workspace-relative path of a file inside a source folder.'),
  offset: z.number().int().min(0).default(0).describe('Character offset to start at (for long files).'),
});
const SearchArgs = z.strictObject({
  pattern: z.string().min(1).describe('Regular expression in RE2 syntax (no backreferences, no lookahead), matched line by line.'),
  flags: z.string().regex(/^[imsu]*$/).default('i'),
  maxMatches: z.number().int().min(1).max(200).default(50),
});
const ProposeEditArgs = z
  .strictObject({
    path: z.string().describe('Workspace-relative path of the file to change or create, inside a source folder.'),
    explanation: z.string().min(1).describe('Why this change fixes the failing verdicts, for the developer reviewing it.'),
    edits: z
      .array(z.strictObject({ search: z.string().describe('Exact text of the file, occurring once.'), replace: z.string() }))
      .min(1)
      .optional()
      .describe('Search/replace blocks, applied in order.'),
    content: z.string().optional().describe('The whole new content of the file (for new files or rewrites).'),
  })
  .refine((a) => (a.edits === undefined) !== (a.content === undefined), { message: 'give exactly one of "edits" or "content"' });


const TOOLS: Record<string, ToolSpec<RefineToolbox>> = {
  list_files: { description: "Files of the agent's source folders (paths, sizes), recursively.", args: ListFilesArgs, run: (t, a) => t.listFiles(a) },
  read_file: { description: 'Text of a file in a source folder (with your proposed edits applied, if any), paginated by character offset.', args: ReadFileArgs, run: (t, a) => t.readFile(a) },
  search: { description: 'Regex search over the text files of the source folders: path, line number and line of each match.', args: SearchArgs, run: (t, a) => t.search(a) },
  propose_edit: {
    description:
      'Propose a change to one file: search/replace "edits" (each search text must occur exactly once) or the whole new "content". Nothing is written: the developer reviews every proposal.',
    args: ProposeEditArgs,
    run: (t, a) => t.proposeEdit(a),
  },
};

export const REFINE_TOOL_NAMES = Object.keys(TOOLS);

export function refineToolDefinitions(): ToolDefinition[] {
  return Object.entries(TOOLS).map(([name, spec]) => {
    const parameters = z.toJSONSchema(spec.args, { io: 'input' }) as Record<string, unknown>;
    delete parameters.$schema;
    return { type: 'function', function: { name, description: spec.description, parameters } };
  });
}

export class RefineToolbox {
  private readonly changes = new Map<string, FileChange>();

  constructor(readonly sources: SourceFolders) {}

  call(name: string, argumentsJson: string): Promise<unknown> {
    return callTool(TOOLS, this, name, argumentsJson);
  }


  /** The proposals so far, in the order files were first changed. Files whose proposal equals their original are left out. */
  changeSet(summary: string): ChangeSet {
    return { files: [...this.changes.values()].filter((c) => c.proposed !== c.original), summary };
  }

  async listFiles(args: z.output<typeof ListFilesArgs>) {
    let roots: string[];
    if (args.path !== undefined) {
      const confined = await this.sources.resolve(args.path);
      if (!confined.ok) return { error: confined.reason };
      roots = [confined.abs];
    } else {
      roots = this.sources.absoluteFolders();
    }
    const files: { path: string; size: number }[] = [];
    let truncated = false;
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (error) {
        throw new Error(`cannot list ${toSlash(path.relative(this.sources.workspaceDir, dir))}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (files.length >= MAX_LISTED_FILES) return void (truncated = true);
        if (SKIPPED.has(entry.name)) continue;
        const abs = path.join(dir, entry.name);
        const rel = toSlash(path.relative(this.sources.workspaceDir, abs));
        // Symlinks are listed only when they stay inside (resolve checks their real path).
        if (!(await this.sources.resolve(rel)).ok) continue;
        const stat = await fs.stat(abs).catch(() => undefined);
        if (stat?.isDirectory()) await walk(abs);
        else if (stat?.isFile()) files.push({ path: rel, size: stat.size });
      }
    };
    for (const root of roots) await walk(root);
    const proposedNew = [...this.changes.values()].filter((c) => c.original === null).map((c) => ({ path: c.path, size: c.proposed.length, proposed: true }));
    return { files: [...files, ...proposedNew], ...(truncated ? { truncated: `only the first ${MAX_LISTED_FILES} files; list a subfolder` } : {}) };
  }

  async readFile(args: z.output<typeof ReadFileArgs>) {
    const confined = await this.sources.resolve(args.path);
    if (!confined.ok) return { error: confined.reason };
    const text = this.changes.get(confined.rel)?.proposed ?? (await readTextFile(confined.abs));
    if (text === null) return { error: `${confined.rel} does not exist; list_files shows what does` };
    if (text === undefined) return { error: `${confined.rel} is not a readable text file (binary, a folder, or over ${MAX_FILE_BYTES} bytes)` };
    const content = text.slice(args.offset, args.offset + MAX_READ_CHARS);
    const next = args.offset + content.length;
    return {
      path: confined.rel,
      totalChars: text.length,
      offset: args.offset,
      content,
      ...(this.changes.has(confined.rel) ? { note: 'includes your proposed edits' } : {}),
      ...(next < text.length ? { nextOffset: next } : {}),
    };
  }

  async search(args: z.output<typeof SearchArgs>) {
    const compiled = compileRegex(args.pattern, args.flags);
    if (!compiled.ok) return { error: compiled.reason };
    const listing = await this.listFiles({});
    if ('error' in listing) return listing;
    const matches: { path: string; line: number; text: string }[] = [];
    let total = 0;
    const budget = new ScanBudget();
    for (const file of listing.files) {
      const full = await this.currentText(file.path, path.resolve(this.sources.workspaceDir, file.path));
      if (full === null) continue;
      const text = budget.take(full);
      if (text === '' && full !== '') continue; // out of budget: counted as not searched
      text.split('\n').forEach((line, i) => {
        if (!compiled.regex.test(line)) return;
        total++;
        if (matches.length < args.maxMatches) matches.push({ path: file.path, line: i + 1, text: line.length > 300 ? `${line.slice(0, 300)}…` : line });
      });
    }
    return {
      pattern: args.pattern,
      totalMatches: total,
      matches,
      ...(budget.cut ? { cut: `${budget.describe()}; totalMatches counts only the part that was read — narrow the search with a more specific pattern or read_file` } : {}),
    };
  }

  async proposeEdit(args: z.output<typeof ProposeEditArgs>) {
    const confined = await this.sources.resolve(args.path);
    if (!confined.ok) return { error: confined.reason };
    const existing = this.changes.get(confined.rel);
    const current = existing ? existing.proposed : await readTextFile(confined.abs);
    if (current === undefined) return { error: `${confined.rel} is not a text file; only text files can be edited` };
    let proposed: string;
    if (args.content !== undefined) {
      proposed = args.content;
    } else {
      if (current === null) return { error: `${confined.rel} does not exist: to create it, give its whole "content"` };
      const edited = applyEditBlocks(current, args.edits!);
      if (!edited.ok) return { error: `${confined.rel}: ${edited.reason}` };
      proposed = edited.text;
    }
    const original = existing ? existing.original : current;
    const explanation = existing ? `${existing.explanation}\n\n${args.explanation}` : args.explanation;
    this.changes.set(confined.rel, { path: confined.rel, original, proposed, explanation });
    const hunks = computeHunks(original ?? '', proposed);
    return { ok: true, path: confined.rel, created: original === null, hunks: hunks.length, note: 'recorded as a proposal; nothing was written' };
  }

  /** The proposal for a file if there is one, else its text on disk; null when there is no text to search. */
  private async currentText(rel: string, abs: string): Promise<string | null> {
    const change = this.changes.get(rel);
    if (change) return change.proposed;
    return (await readTextFile(abs)) ?? null;
  }
}

/** Text of a file; null when it does not exist; undefined when it is binary, too large or not a file. */
async function readTextFile(abs: string): Promise<string | null | undefined> {
  let data: Buffer;
  try {
    const stat = await fs.stat(abs);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return undefined;
    data = await fs.readFile(abs);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return data.includes(0) ? undefined : data.toString('utf8');
}
