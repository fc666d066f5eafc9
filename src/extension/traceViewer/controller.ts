/**
 * The host side of one trace viewer panel: builds the page's state from the trace's session
 * (outline in its worker, byte positions here) and answers the webview's requests. It knows
 * nothing of `vscode`; the panel code forwards messages in and out, which lets tests drive it
 * against a real browser page.
 */
import type { Artifact } from '../../core/trace/model';
import { META } from '../../core/trace/model';
import type { Verdict } from '../../core/judges/types';
import {
  HostMessage, WebviewMessage, type InitialState, type Metrics, type TraceSourceRef,
} from '../../shared/traceViewerProtocol';
import { outlineMetrics } from './analysis';
import type { SkeletonColumns } from '../../shared/skeletonColumns';
import type { TraceSession } from './session';

export interface ViewerInput {
  source: TraceSourceRef;
  session: TraceSession;
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

/** The page's state (in its HTML); the span tree follows as a message (see the protocol file). */
export interface ViewerPage {
  state: InitialState;
}

export class TraceViewerController {
  /** The search this panel is running (a newer query cancels it). */
  private search: { requestId: number; searchId: number } | undefined;
  /** The skeleton asked of the worker while the page loads, for the page's first `ready`. */
  private nextSkeleton: Promise<SkeletonColumns> | undefined;

  constructor(private readonly input: ViewerInput) {}

  async page(): Promise<ViewerPage> {
    const { session } = this.input;
    const { info, totals, artifacts } = session.summary;
    // Encoded by the worker while the editor loads the page: it is needed as soon as the page is ready.
    this.nextSkeleton = session.skeleton();
    // Unhandled until `ready` takes it; a failure is reported to the page then.
    this.nextSkeleton.catch(() => {});
    const prepared = await session.prepare(this.input.verdicts, this.input.revealSpanIds ?? []);
    const scenarioId = info.metadata[META.scenarioId];
    const runId = this.input.runId ?? info.metadata[META.runId];
    return {
      state: {
        source: this.input.source,
        traceId: info.traceId,
        title: scenarioId ? `${scenarioId} — ${info.traceId.slice(0, 8)}` : `Trace ${info.traceId.slice(0, 8)}`,
        state: info.state,
        ...(scenarioId ? { scenarioId } : {}),
        ...(runId ? { runId } : {}),
        verdicts: prepared.verdicts,
        rootCause: prepared.rootCause,
        metrics: outlineMetrics(info, totals),
        ...(this.input.previous ? { previous: this.input.previous } : {}),
        artifacts,
        ...(prepared.reveal.length ? { reveal: prepared.reveal } : {}),
        promotable: this.promotable(),
      },
    };
  }

  private promotable(): boolean {
    return this.input.storeWorkspace !== undefined && this.input.verdicts.some((v) => v.outcome === 'failed' || v.outcome === 'error');
  }

  /** Rows of the given span ids, for a `reveal` message (unknown ids are ignored). */
  rowsOf(spanIds: readonly string[]): Promise<number[]> {
    return this.input.session.rowsOf(spanIds);
  }

  /** Handles one webview message; resolves when its answer (or its first search batch) was posted. */
  async handle(raw: unknown, effects: ViewerEffects): Promise<void> {
    const parsed = WebviewMessage.safeParse(raw);
    if (!parsed.success) {
      effects.log(`trace viewer: ignored a malformed webview message: ${parsed.error.message}`);
      return;
    }
    const message = parsed.data;
    const { session } = this.input;
    try {
      switch (message.type) {
        case 'ready': {
          // Every page load asks (a hidden panel's page is rebuilt when it is shown again).
          const skeleton = await (this.nextSkeleton ?? session.skeleton());
          this.nextSkeleton = undefined;
          effects.post({ type: 'skeleton', skeleton });
          return;
        }
        case 'getSpan': {
          const detail = await session.detail(message.row);
          effects.post(detail ? { type: 'spanDetail', detail } : { type: 'error', message: `No span on row ${message.row}.` });
          return;
        }
        case 'search': {
          // A newer query supersedes the running one: stop it, and drop what it still sends.
          this.cancelSearch();
          const { requestId } = message;
          const searchId = session.search(message, (batch) => {
            if (this.search?.searchId !== searchId) return;
            if (batch.done) this.search = undefined;
            effects.post({ type: 'searchResults', requestId, ...batch });
          });
          this.search = { requestId, searchId };
          return;
        }
        case 'openArtifact': {
          const artifact = await session.artifact(message.path);
          if (!artifact) effects.post({ type: 'error', message: `The trace has no artifact "${message.path}".` });
          else effects.openArtifact(artifact);
          return;
        }
        case 'promote': {
          // The webview only shows the action when promotable, but a message is never trusted.
          const workspaceDir = this.input.storeWorkspace;
          if (!this.promotable() || !effects.promote || !workspaceDir) effects.post({ type: 'error', message: 'Only a stored trace with a failing or erroring verdict can be promoted to a scenario.' });
          else effects.promote(session.summary.info.traceId, workspaceDir);
          return;
        }
      }
    } catch (error) {
      const text = (error as Error).message ?? String(error);
      effects.log(`trace viewer: ${text}`);
      effects.post({ type: 'error', message: text });
    }
  }

  /** The panel closed: stop its search. */
  dispose(): void {
    this.cancelSearch();
  }

  private cancelSearch(): void {
    if (this.search) this.input.session.cancelSearch(this.search.searchId);
    this.search = undefined;
  }
}

/** Validates outgoing messages too: a bug on the host side shows up here, not as a blank webview. */
export function checkedHostMessage(message: HostMessage): HostMessage {
  return HostMessage.parse(message);
}
