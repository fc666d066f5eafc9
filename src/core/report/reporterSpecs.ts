/**
 * `--reporter FORMAT[:FILE]` (repeatable) and `--out FILE`, as `costar run` and `costar merge`
 * accept them: `--reporter junit --out r.xml`, or `--reporter junit:r.xml --reporter json:r.json`.
 */
import * as path from 'node:path';
import type { RunReport } from '../run/protocol';
import { writeFileAtomic } from '../util/atomicWrite';
import { REPORT_FORMATS, renderReport, type RenderOptions, type ReportFormat } from './render';

/** 'pretty' is the live terminal reporter of `costar run`; it only writes to the terminal. */
export type ReporterName = ReportFormat | 'pretty';

export interface ReporterSpec {
  format: ReporterName;
  /** File to write; undefined means standard output. */
  path?: string;
}

/** Bad reporter flags; the CLI prints it as a usage error (exit 2). */
export class ReporterSpecError extends Error {}

const KNOWN: readonly string[] = [...REPORT_FORMATS, 'pretty'];
const BY_EXTENSION: Record<string, ReportFormat> = { '.xml': 'junit', '.json': 'json', '.md': 'markdown' };

export function parseReporterSpecs(specs: readonly string[], options: { out?: string } = {}): ReporterSpec[] {
  const parsed = specs.map(parseOne);
  if (options.out !== undefined) {
    const withoutPath = parsed.filter((s) => s.path === undefined);
    if (parsed.length === 0) {
      const format = BY_EXTENSION[path.extname(options.out).toLowerCase()];
      if (!format) throw new ReporterSpecError(`--out ${options.out}: cannot tell the format from the extension; add --reporter junit|json|markdown|github`);
      parsed.push({ format, path: options.out });
    } else if (withoutPath.length === 1 && withoutPath[0]!.format !== 'pretty') {
      withoutPath[0]!.path = options.out;
    } else {
      throw new ReporterSpecError(`--out applies to exactly one reporter without a file; write several as --reporter junit:FILE --reporter json:FILE`);
    }
  }
  const toStdout = parsed.filter((s) => s.path === undefined);
  if (toStdout.length > 1) {
    throw new ReporterSpecError(
      `only one reporter can write to standard output (${toStdout.map((s) => s.format).join(', ')}); give the others a file: --reporter ${toStdout[1]!.format}:FILE`,
    );
  }
  const seen = new Set<string>();
  for (const spec of parsed) {
    if (spec.path === undefined) continue;
    const key = path.resolve(spec.path);
    if (seen.has(key)) throw new ReporterSpecError(`two reporters write to ${spec.path}; give each its own file`);
    seen.add(key);
  }
  return parsed;
}

function parseOne(spec: string): ReporterSpec {
  const colon = spec.indexOf(':');
  const format = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const file = colon < 0 ? undefined : spec.slice(colon + 1).trim();
  if (!KNOWN.includes(format)) {
    throw new ReporterSpecError(`unknown reporter "${format}" in --reporter ${spec}; expected one of ${KNOWN.join(', ')} (optionally FORMAT:FILE)`);
  }
  if (file === '') throw new ReporterSpecError(`--reporter ${spec}: the file after ":" is empty`);
  if (format === 'pretty' && file !== undefined) throw new ReporterSpecError(`--reporter ${spec}: the pretty reporter only writes to the terminal`);
  return { format: format as ReporterName, path: file };
}

/**
 * Writes the file reporters (atomically) and returns what goes to standard output.
 * 'pretty' is skipped: the caller renders it live.
 */
export async function writeReports(report: RunReport, specs: readonly ReporterSpec[], options: RenderOptions & { cwd: string }): Promise<string> {
  let stdout = '';
  for (const spec of specs) {
    if (spec.format === 'pretty') continue;
    const text = renderReport(report, spec.format, options);
    if (spec.path === undefined) stdout += text;
    else await writeFileAtomic(path.resolve(options.cwd, spec.path), text);
  }
  return stdout;
}
