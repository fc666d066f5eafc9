/**
 * The terminal reporter: a live progress line on a TTY, plain lines elsewhere (CI logs),
 * one line per finished scenario and the reasons of every failure or error.
 */
import * as path from 'node:path';
import type { HarnessEvent, RunReport, ScenarioResult } from '../core/run/protocol';
import { formatDuration } from '../core/util/duration';
import { escapeFileName } from '../core/scenario/yamlSource';
import { plural } from './command';
import { reportPath } from '../core/layout';

/**
 * Colors on a terminal, off in logs and pipes. NO_COLOR (no-color.org) turns them off,
 * FORCE_COLOR (as Node and most CLIs read it) on; FORCE_COLOR=0 is off, and FORCE_COLOR wins.
 */
export function useColor(env: NodeJS.ProcessEnv, out: { isTTY?: boolean }): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(out.isTTY);
}

export interface PrettyOptions {
  mode: RunReport['mode'];
  color: boolean;
}

export const MARK = { passed: '✓', failed: '✗', error: '!', skipped: '-' } as const;
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class PrettyReporter {
  private total = 0;
  private finished = 0;
  private readonly running = new Set<string>();
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly options: PrettyOptions,
  ) {}

  onEvent(event: HarnessEvent): void {
    switch (event.type) {
      case 'runStarted':
        this.total = event.scenarios.length;
        this.write(`${this.options.mode === 'rescore' ? 'Re-scoring' : 'Running'} ${plural(this.total, 'scenario')} — run ${event.runId}\n`);
        if (this.out.isTTY) this.timer = setInterval(() => this.drawProgress(), 100);
        break;
      case 'attemptStarted':
        this.running.add(event.scenarioId);
        break;
      case 'scenarioFinished':
        this.running.delete(event.result.id);
        this.finished++;
        this.write(formatScenario(event.result, this.options));
        break;
      case 'log':
        if (event.level !== 'info') this.write(`${event.level}: ${event.message}\n`);
        break;
      default:
        break;
    }
  }

  finish(report: RunReport): void {
    this.stop();
    const s = report.summary;
    const parts = [`${s.passed} passed`, `${s.failed} failed`];
    if (s.error) parts.push(`${s.error} errored`);
    if (s.skipped) parts.push(`${s.skipped} skipped`);
    // A judge that could not run (no model configured) weakens a pass: count it where CI logs look.
    const skippedJudges = report.scenarios.flatMap((r) => r.attempts.at(-1)?.verdicts ?? []).filter((v) => v.outcome === 'skipped').length;
    if (skippedJudges) parts.push(`${plural(skippedJudges, 'judge')} skipped`);
    this.write(`\n${parts.join(', ')} (${plural(s.total, 'scenario')}, ${formatDuration(s.durationMs)}) — report ${path.relative(report.workspaceDir, reportPath(report.workspaceDir, report.runId))}\n`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clearLine();
  }

  private drawProgress(): void {
    const frame = FRAMES[this.frame++ % FRAMES.length];
    const names = [...this.running].slice(0, 3).join(', ') + (this.running.size > 3 ? ', …' : '');
    const line = `${frame} ${this.finished}/${this.total} done${names ? ` — running ${names}` : ''}`;
    this.out.write(`\r\x1b[2K${line.slice(0, (process.stdout.columns ?? 100) - 1)}`);
  }

  private clearLine(): void {
    if (this.out.isTTY) this.out.write('\r\x1b[2K');
  }

  private write(text: string): void {
    this.clearLine();
    this.out.write(text);
  }
}

export function formatScenario(result: ScenarioResult, options: PrettyOptions): string {
  const paint = (code: number, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const tone = { passed: 32, failed: 31, error: 33, skipped: 90 }[result.status];
  const repeat = result.repeat;
  const attempts = repeat ? ` [${repeat.passed}/${repeat.attempts} attempts passed, ${passStats(repeat)}]` : '';
  // A re-score runs no agent: the stored attempt's duration is not this run's.
  const duration = options.mode === 'rescore' ? '' : `(${formatDuration(result.durationMs)}) `;
  const lines = [`${paint(tone, MARK[result.status])} ${result.id} ${paint(90, `${duration}${escapeFileName(result.file)}:${result.line}`)}${attempts}`];
  for (const judge of repeat?.judges ?? []) {
    if (judge.passed < judge.counted) lines.push(`    ${paint(90, `${judge.name}: passed ${judge.passed}/${judge.counted} (95% CI ${percent(judge.low)}–${percent(judge.high)})`)}`);
  }
  for (const flag of result.metricFlags ?? []) lines.push(`    ${paint(33, '△')} ${paint(90, `${flag.message} since the previous run`)}`);
  const warnings = new Set(result.attempts.flatMap((attempt) => attempt.warnings ?? []));
  for (const warning of warnings) lines.push(`    ${paint(33, '⚠')} ${paint(90, warning)}`);
  const last = result.attempts.at(-1);
  for (const warning of new Set(result.attempts.flatMap((a) => a.warnings ?? []))) lines.push(`    ${paint(33, '△')} ${paint(33, indent(warning))}`);
  if (result.status === 'passed') {
    // A pass with skipped judges is a weaker pass: say which were not run and why.
    for (const verdict of last?.verdicts ?? []) {
      if (verdict.outcome === 'skipped') lines.push(`    ${MARK.skipped} ${verdict.name} ${paint(90, `skipped: ${verdict.error ?? verdict.rationale}`)}`);
    }
  } else {
    if (result.error) lines.push(`    ${paint(tone, result.status)}: ${indent(result.error)}`);
    for (const verdict of last?.verdicts ?? []) {
      if (verdict.outcome === 'passed') continue;
      const reason = verdict.error ?? verdict.rationale;
      lines.push(`    ${MARK[verdict.outcome]} ${verdict.name} ${paint(90, verdict.outcome)}: ${indent(reason)}`);
    }
    // The agent's error already ends with the last lines of its stderr (harness/attempt.ts).
    if (result.traceId) lines.push(`    trace ${result.traceId} — see it with: costar trace show ${result.traceId}`);
  }
  return `${lines.join('\n')}\n`;
}

function passStats(repeat: NonNullable<ScenarioResult['repeat']>): string {
  return Object.keys(repeat.passAtK)
    .map((k) => `pass@${k} ${repeat.passAtK[k]!.toFixed(2)}, pass^${k} ${repeat.passHatK[k]!.toFixed(2)}`)
    .join(', ');
}

function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

function indent(text: string): string {
  return text.trim().split('\n').slice(0, 20).join('\n      ');
}
