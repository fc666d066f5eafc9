/**
 * The host side of one trace viewer: holds the whole trace, builds the initial state and
 * answers the webview's requests. It knows nothing of `vscode`; the panel code forwards
 * messages in and out, which lets tests drive it against a real browser page.
 */
import type { Artifact, Trace } from '../../core/trace/model';
import { META } from '../../core/trace/model';
import type { Verdict } from '../../core/judges/types';
import {
  HostMessage, WebviewMessage, type InitialState, type Metrics, type SpanDetail, type TraceSourceRef,
} from '../../shared/traceViewerProtocol';
import { indexTrace, type IndexedTrace } from './skeleton';
import { findRootCause, toViewerVerdicts, traceMetrics } from './analysis';
import { SpanSearch } from './search';

export interface ViewerInput {
  source: TraceSourceRef;
  trace: Trace;
  /** Verdicts of the run that produced the trace (empty when none were found). */
  verdicts: readonly Verdict[];
  runId?: string;
  previous?: { runId: string; traceId: string; metrics: Metrics };
  /** Spans to reveal when the viewer opens (e.g. those a failing judge cites). */
  revealSpanIds?: readonly string[];
  /** The workspace whose trace store holds this trace (opened by id or as a file under .costar/traces); promotion reads it from there. */
  storeWorkspace?: string;
}

export interface ViewerEffects {
  post(message: HostMessage): void;
  openArtifact(artifact: Artifact): void;
  /** Opens a scenario draft of the trace stored in `workspaceDir`; absent where there is no editor to open it in. */
  promote?(traceId: string, workspaceDir: string): void;
  log(message: string): void;
}

export class TraceViewerController {
  readonly indexed: IndexedTrace;
  private readonly search: SpanSearch;

  constructor(private readonly input: ViewerInput) {
    this.indexed = indexTrace(input.trace);
    this.search = new SpanSearch(this.indexed.spans);
  }

  initialState(): InitialState {
    const { trace, skeleton, rowOf } = this.indexed;
    const verdicts = toViewerVerdicts(this.input.verdicts, rowOf);
    const scenarioId = trace.info.metadata[META.scenarioId];
    const runId = this.input.runId ?? trace.info.metadata[META.runId];
    return {
      source: this.input.source,
      traceId: trace.info.traceId,
      title: scenarioId ? `${scenarioId} — ${trace.info.traceId.slice(0, 8)}` : `Trace ${trace.info.traceId.slice(0, 8)}`,
      state: trace.info.state,
      ...(scenarioId ? { scenarioId } : {}),
      ...(runId ? { runId } : {}),
      skeleton,
      verdicts,
      rootCause: findRootCause(skeleton, verdicts),
      metrics: traceMetrics(trace),
      ...(this.input.previous ? { previous: this.input.previous } : {}),
      artifacts: trace.artifacts.map((a) => ({ path: a.path, size: a.size, change: a.change, hasText: a.text !== undefined })),
      ...(this.input.revealSpanIds?.length ? { reveal: this.rowsOf(this.input.revealSpanIds) } : {}),
      promotable: this.promotable(),
    };
  }

  private promotable(): boolean {
    return this.input.storeWorkspace !== undefined && this.input.verdicts.some((v) => v.outcome === 'failed' || v.outcome === 'error');
  }

  /** Rows of the given span ids, for a `reveal` message (unknown ids are ignored). */
  rowsOf(spanIds: readonly string[]): number[] {
    return spanIds.map((id) => this.indexed.rowOf.get(id)).filter((r): r is number => r !== undefined);
  }

  handle(raw: unknown, effects: ViewerEffects): void {
    const parsed = WebviewMessage.safeParse(raw);
    if (!parsed.success) {
      effects.log(`trace viewer: ignored a malformed webview message: ${parsed.error.message}`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        return;
      case 'getSpan': {
        const detail = this.detail(message.row);
        effects.post(detail ? { type: 'spanDetail', detail } : { type: 'error', message: `No span on row ${message.row}.` });
        return;
      }
      case 'search': {
        const outcome = this.search.run(message);
        effects.post({ type: 'searchResults', requestId: message.requestId, ...outcome });
        return;
      }
      case 'openArtifact': {
        const artifact = this.input.trace.artifacts.find((a) => a.path === message.path);
        if (!artifact) effects.post({ type: 'error', message: `The trace has no artifact "${message.path}".` });
        else effects.openArtifact(artifact);
        return;
      }
      case 'promote': {
        // The webview only shows the action when promotable, but a message is never trusted.
        const workspaceDir = this.input.storeWorkspace;
        if (!this.promotable() || !effects.promote || !workspaceDir) effects.post({ type: 'error', message: 'Only a stored trace with a failing or erroring verdict can be promoted to a scenario.' });
        else effects.promote(this.input.trace.info.traceId, workspaceDir);
        return;
      }
    }
  }

  detail(row: number): SpanDetail | undefined {
    const span = this.indexed.spans[row];
    if (!span) return undefined;
    const { skeleton, startNs } = this.indexed;
    return {
      row,
      spanId: span.spanId,
      name: span.name,
      type: span.spanType,
      status: { code: span.status.code, ...(span.status.message ? { message: span.status.message } : {}) },
      startMs: skeleton.startMs[row]!,
      durMs: skeleton.durMs[row]!,
      ...(span.toolName ? { toolName: span.toolName } : {}),
      ...(span.tokens ? { tokens: span.tokens } : {}),
      ...(span.inputs !== undefined ? { inputs: span.inputs } : {}),
      ...(span.outputs !== undefined ? { outputs: span.outputs } : {}),
      attributes: span.attributes,
      events: span.events.map((e) => ({
        name: e.name,
        offsetMs: Number(BigInt(e.timeUnixNano) - startNs) / 1e6,
        attributes: e.attributes,
      })),
    };
  }
}

/** Validates outgoing messages too: a bug on the host side shows up here, not as a blank webview. */
export function checkedHostMessage(message: HostMessage): HostMessage {
  return HostMessage.parse(message);
}
