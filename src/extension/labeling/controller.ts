/**
 * The labeling panel's host side, without `vscode`: builds the queue of one judge from the
 * stored traces, writes the labels the human gives to the golden set, undoes them, and
 * computes agreement. The same class serves VS Code (index.ts) and the browser tests.
 * It only reads stored traces and reports: labeling never runs an agent.
 */
import type { JudgeEntry } from '../../core/judges/catalog';
import { finalOutput, asText } from '../../core/judges/checks/traceText';
import { computeAgreement } from '../../core/golden/agreement';
import { findJudge, loadWorkspaceForGolden } from '../../core/golden/goldenWorkspace';
import { latestVerdicts } from '../../core/golden/judgeVerdicts';
import { labelKey, type GoldenLabel } from '../../core/golden/label';
import { buildQueue } from '../../core/golden/queueSignals';
import { appendLabels, readLabels, removeLabels } from '../../core/golden/store';
import { judgeAssesses, traceCase, type TraceCase } from '../../core/golden/traceCase';
import { valueChoices, valueProblem } from '../../core/golden/values';
import type { ModelClient } from '../../core/llm/types';
import { traceContentHash } from '../../core/trace/hash';
import { META, spanDurationMs, type Trace } from '../../core/trace/model';
import { TraceStore } from '../../core/trace/store';
import { HostMessage, WebviewMessage, type LabelItem, type LabelingState, type SpanRow } from '../../shared/labelingProtocol';
import { SPAN_TYPES } from '../../shared/traceViewerProtocol';
import { indexTrace } from '../traceViewer/skeleton';
import { describeSkipped, type SkippedFile } from '../../core/util/files';

/** Spans shown inline per item; the trace viewer shows the rest. */
const MAX_SPANS = 300;
const SPAN_TEXT_CAP = 600;
const ARTIFACT_TEXT_CAP = 8_000;
/** Newest traces considered for one queue. */
const MAX_ITEMS = 200;

export interface LabelingOptions {
  workspaceDir: string;
  /** Who labels: recorded in every label. */
  labeller: string;
  /** The client that samples the judge (queue order), from the editor's provider seam (extensionModelClient); without it the queue uses reports only. */
  model?: ModelClient;
  /** Samples per trace for the uncertainty signal (0: none). */
  samples?: number;
  blind?: boolean;
  now?: () => Date;
}

export interface LabelingIo {
  post(message: HostMessage): void;
  openTrace(traceId: string): void;
  log(message: string): void;
}

export class LabelingController {
  private judge: JudgeEntry | undefined;
  private traces = new Map<string, Trace>();
  /** Labels written by this panel, per trace: a new answer replaces the previous one, undo removes it. */
  private readonly session = new Map<string, GoldenLabel>();

  constructor(private readonly options: LabelingOptions) {}

  async state(judgeId?: string): Promise<LabelingState> {
    const { catalog, scenarios } = await loadWorkspaceForGolden(this.options.workspaceDir);
    const judges = catalog.all().filter((e) => e.file && e.def);
    const base = { judges: judges.map((j) => ({ id: j.id, description: j.description })), labeller: this.options.labeller, blind: this.options.blind ?? true };
    if (judges.length === 0) return { ...base, items: [], notice: 'No judge files in this workspace: add judges/<id>.judge.yaml first.' };
    const preferred = judges.find((j) => j.kind === 'llm' || j.kind === 'agentic') ?? judges[0]!;
    const judge = judgeId ? findJudge(catalog, judgeId) : preferred;
    this.judge = judge;
    this.session.clear();

    const mine = new Set((await readLabels(this.options.workspaceDir, judge.id)).labels.filter((l) => l.labeller === this.options.labeller).map((l) => l.traceRef.traceId));
    const store = new TraceStore(this.options.workspaceDir);
    const skipped: SkippedFile[] = [];
    const stored = await store.list(skipped);
    const cases: TraceCase[] = [];
    this.traces = new Map();
    let assessed = 0;
    let labelledBefore = 0;
    // Newest first; only traces this judge assesses; the ones already labelled count as progress.
    for (const info of stored) {
      if (!judgeAssesses(info, judge.id, scenarios)) continue;
      assessed++;
      if (mine.has(info.traceId)) {
        labelledBefore++;
        continue;
      }
      if (cases.length >= MAX_ITEMS) continue;
      const trace = await store.getOrSkip(info.traceId, skipped);
      if (!trace) continue;
      this.traces.set(info.traceId, trace);
      cases.push(traceCase(trace, judge.id, scenarios));
    }
    const samples = this.options.samples ?? 0;
    const model = samples > 0 ? this.options.model : undefined;
    const queue = await buildQueue({ workspaceDir: this.options.workspaceDir, ...(judge.def ? { def: judge.def } : {}), cases, ...(model ? { model } : {}), samples });
    const verdicts = await latestVerdicts(this.options.workspaceDir, judge.id, new Set(cases.map((c) => c.trace.info.traceId)), judge.def?.value, skipped);
    const byId = new Map(cases.map((c) => [c.trace.info.traceId, c]));
    const items: LabelItem[] = queue.map((q) => {
      const item = toItem(byId.get(q.traceId)!, q.reasons);
      const verdict = verdicts.get(q.traceId);
      if (verdict) item.verdict = { value: verdict.value, rationale: verdict.rationale, source: verdict.source };
      return item;
    });
    const def = judge.def!;
    const range = typeof def.value === 'object' && def.value.type === 'number' ? { min: def.value.min, max: def.value.max } : undefined;
    return {
      ...base,
      judge: { id: judge.id, version: judge.version, description: judge.description, choices: valueChoices(def.value), ...(range ? { range } : {}) },
      items,
      ...(skipped.length > 0 ? { warnings: skipped.map(describeSkipped) } : {}),
      labelledBefore,
      ...(items.length === 0 ? { notice: emptyNotice(judge.id, stored.length, assessed) } : {}),
    };
  }

  async handle(raw: unknown, io: LabelingIo): Promise<void> {
    const parsed = WebviewMessage.safeParse(raw);
    if (!parsed.success) {
      io.log(`labeling panel: ignored an invalid message: ${parsed.error.message}`);
      return;
    }
    const message = parsed.data;
    try {
      switch (message.type) {
        case 'chooseJudge':
          io.post({ type: 'state', state: await this.state(message.judgeId) });
          return;
        case 'label':
          await this.label(message.traceId, message.value, message.rationale);
          io.post({ type: 'saved', traceId: message.traceId, value: message.value });
          return;
        case 'undo':
          await this.undo(message.traceId);
          io.post({ type: 'undone', traceId: message.traceId });
          return;
        case 'requestAgreement':
          io.post(await this.agreement());
          return;
        case 'openTrace':
          // Any stored trace (disagreements list labelled traces that are no longer queued).
          if (/^[0-9a-f]{32}$/.test(message.traceId)) io.openTrace(message.traceId);
          return;
      }
    } catch (error) {
      const text = (error as Error).message;
      io.log(`labeling panel: ${text}`);
      io.post({ type: 'error', message: text, ...('traceId' in message ? { traceId: message.traceId } : {}) });
    }
  }

  private async label(traceId: string, value: unknown, rationale: string): Promise<void> {
    const judge = this.requireJudge();
    const trace = this.traces.get(traceId);
    if (!trace) throw new Error(`trace ${traceId} is not in this queue; reopen the panel`);
    const problem = valueProblem(judge.def!.value, value);
    if (problem) throw new Error(`not a value of judge ${judge.id}: ${problem}`);
    const label: GoldenLabel = {
      traceRef: {
        ...(trace.info.metadata[META.runId] ? { runId: trace.info.metadata[META.runId] } : {}),
        ...(trace.info.metadata[META.scenarioId] ? { scenarioId: trace.info.metadata[META.scenarioId] } : {}),
        traceId,
        contentHash: traceContentHash(trace),
      },
      judgeId: judge.id,
      judgeVersion: judge.version,
      value: value as GoldenLabel['value'],
      rationale: rationale.trim(),
      labeller: this.options.labeller,
      time: (this.options.now?.() ?? new Date()).toISOString(),
    };
    const previous = this.session.get(traceId);
    if (previous) await removeLabels(this.options.workspaceDir, judge.id, new Set([labelKey(previous)]));
    await appendLabels(this.options.workspaceDir, [label]);
    this.session.set(traceId, label);
  }

  private async undo(traceId: string): Promise<void> {
    const judge = this.requireJudge();
    const previous = this.session.get(traceId);
    if (!previous) throw new Error('nothing to undo for this trace in this session');
    await removeLabels(this.options.workspaceDir, judge.id, new Set([labelKey(previous)]));
    this.session.delete(traceId);
  }

  private async agreement(): Promise<HostMessage> {
    const judge = this.requireJudge();
    const { labels } = await readLabels(this.options.workspaceDir, judge.id);
    if (labels.length === 0) return { type: 'agreement', agreement: null, message: `No labels for ${judge.id} yet.` };
    const opinions = await latestVerdicts(this.options.workspaceDir, judge.id, new Set(labels.map((l) => l.traceRef.traceId)), judge.def?.value);
    return { type: 'agreement', agreement: computeAgreement(judge.id, labels, opinions, judge.def ? valueChoices(judge.def.value) : []) };
  }

  private requireJudge(): JudgeEntry {
    if (!this.judge) throw new Error('choose a judge first');
    return this.judge;
  }
}

function toItem(c: TraceCase, reasons: string[]): LabelItem {
  const { trace } = c;
  const indexed = indexTrace(trace);
  const depth: number[] = [];
  const spans: SpanRow[] = [];
  const s = indexed.skeleton;
  for (let row = 0; row < Math.min(s.ids.length, MAX_SPANS); row++) {
    const parent = s.parents[row]!;
    depth[row] = parent < 0 ? 0 : depth[parent]! + 1;
    const span = indexed.spans[row]!;
    const entry: SpanRow = { depth: depth[row]!, name: span.name, type: SPAN_TYPES[s.types[row]!] ?? span.spanType, durMs: spanDurationMs(span), error: span.status.code === 'ERROR' };
    if (span.inputs !== undefined) entry.inputs = cap(asText(span.inputs), SPAN_TEXT_CAP);
    if (span.outputs !== undefined) entry.outputs = cap(asText(span.outputs), SPAN_TEXT_CAP);
    spans.push(entry);
  }
  const scenarioId = trace.info.metadata[META.scenarioId];
  const runId = trace.info.metadata[META.runId];
  return {
    traceId: trace.info.traceId,
    title: scenarioId ?? `trace ${trace.info.traceId.slice(0, 8)}`,
    ...(scenarioId ? { scenarioId } : {}),
    ...(runId ? { runId } : {}),
    prompt: c.scenario.prompt,
    output: finalOutput(trace) ?? '(no final output recorded)',
    artifacts: trace.artifacts.filter((a) => a.change !== 'deleted').map((a) => ({ path: a.path, change: a.change, ...(a.text !== undefined ? { text: cap(a.text, ARTIFACT_TEXT_CAP) } : {}) })),
    spans,
    moreSpans: Math.max(0, s.ids.length - MAX_SPANS),
    reasons,
  };
}

/** Why the queue is empty, honestly: no traces at all, none this judge assesses, or all labelled. */
function emptyNotice(judgeId: string, stored: number, assessed: number): string {
  if (stored === 0) return 'No stored traces yet — run scenarios first (Test Explorer or `costar run`), or import traces (`costar import`).';
  if (assessed === 0) return `None of the ${stored} stored traces is assessed by ${judgeId}: no scenario that ran names it in its expectations. Add it to a scenario's expectations and run it, or import traces.`;
  return `Nothing left to label for ${judgeId}: you have labelled all ${assessed} stored traces it assesses. Run scenarios or import traces to get more.`;
}

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… [${text.length - max} more characters]` : text;
}
