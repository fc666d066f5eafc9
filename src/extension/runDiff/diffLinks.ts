/**
 * The links of "Compare with last green run": on each scenario line of the diff text, the
 * scenario's `file:line` opens the scenario file there, and each side of `before → after`
 * opens that run's trace of the scenario. Found by position in the text the CLI prints (the
 * same renderer), so the document reads exactly like `costar diff`. No `vscode` here.
 */
import * as path from 'node:path';
import type { RunDiff } from '../../core/report/diff';
import type { RunReport } from '../../core/run/protocol';
import { tracePath } from '../../core/layout';

export type DiffLinkTarget =
  | { kind: 'scenario'; file: string; line: number }
  | { kind: 'trace'; traceFile: string };

export interface DiffLink {
  /** 0-based line and character range in the diff text. */
  line: number;
  start: number;
  end: number;
  target: DiffLinkTarget;
  tooltip: string;
}

export function diffLinks(text: string, diff: RunDiff, a: RunReport, b: RunReport, workspaceDir: string): DiffLink[] {
  const traceOf = (report: RunReport, id: string) => report.scenarios.find((s) => s.id === id)?.traceId;
  const lines = text.split('\n');
  const links: DiffLink[] = [];
  for (const s of diff.scenarios) {
    const location = `${s.file}:${s.line}`;
    const head = ` ${s.id}  ${location}  `;
    const line = lines.findIndex((l) => /^ {2}\S /.test(l) && l.slice(3).startsWith(head));
    if (line < 0) continue;
    const row = lines[line]!;
    const at = 3 + head.indexOf(location);
    links.push({ line, start: at, end: at + location.length, target: { kind: 'scenario', file: path.resolve(workspaceDir, s.file), line: s.line }, tooltip: `Open ${location}` });
    // "before → after": each side that has a trace opens it.
    const outcomes = row.slice(3 + head.length);
    const arrow = outcomes.indexOf(' → ');
    if (arrow < 0) continue;
    const sides = [
      { run: a, label: 'A', start: 3 + head.length, end: 3 + head.length + arrow },
      { run: b, label: 'B', start: 3 + head.length + arrow + 3, end: row.length },
    ];
    for (const side of sides) {
      const traceId = traceOf(side.run, s.id);
      if (!traceId || side.end <= side.start) continue;
      links.push({ line, start: side.start, end: side.end, target: { kind: 'trace', traceFile: tracePath(workspaceDir, traceId) }, tooltip: `Open the trace of ${s.id} in run ${side.label} (${side.run.runId})` });
    }
  }
  return links;
}
