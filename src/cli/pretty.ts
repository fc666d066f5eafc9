/**
 * The terminal reporter: a live progress line on a TTY, plain lines elsewhere (CI logs),
 * one line per finished scenario and the reasons of every failure or error.
 */
import type { HarnessEvent, RunReport, ScenarioResult } from '../core/run/protocol';
import { formatDuration } from '../core/util/duration';
import { escapeFileName } from '../core/scenario/yamlSource';

const MARK = { passed: '✓', failed: '✗', error: '!', skipped: '-' } as const;
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class PrettyReporter {
  private total = 0;
  private finished = 0;
  private readonly running = new Set<string>();
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly verb: 'Running' | 'Re-scoring' = 'Running',
    private readonly color = Boolean(out.isTTY),
  ) {}

  onEvent(event: HarnessEvent): void {
    switch (event.type) {
      case 'runStarted':
        this.total = event.scenarios.length;
        this.write(`${this.verb} ${this.total} scenario(s) — run ${event.runId}\n`);
        if (this.out.isTTY) this.timer = setInterval(() => this.drawProgress(), 100);
        break;
      case 'attemptStarted':
        this.running.add(event.scenarioId);
        break;
      case 'scenarioFinished':
        this.running.delete(event.result.id);
        this.finished++;
        this.write(formatScenario(event.result, this.color));
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
    this.write(`\n${parts.join(', ')} (${s.total} scenarios, ${formatDuration(s.durationMs)}) — report .costar/runs/${report.runId}/report.json\n`);
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

export function formatScenario(result: ScenarioResult, color: boolean): string {
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const tone = { passed: 32, failed: 31, error: 33, skipped: 90 }[result.status];
  const repeat = result.repeat;
  const attempts = repeat ? ` [${repeat.passed}/${repeat.attempts} attempts passed, ${passStats(repeat)}]` : '';
  const lines = [`${paint(tone, MARK[result.status])} ${result.id} ${paint(90, `(${formatDuration(result.durationMs)}) ${escapeFileName(result.file)}:${result.line}`)}${attempts}`];
  for (const judge of repeat?.judges ?? []) {
    if (judge.passed < judge.counted) lines.push(`    ${paint(90, `${judge.name}: passed ${judge.passed}/${judge.counted} (95% CI ${percent(judge.low)}–${percent(judge.high)})`)}`);
  }
  for (const flag of result.metricFlags ?? []) lines.push(`    ${paint(33, '△')} ${paint(90, `${flag.message} since the previous run`)}`);
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
