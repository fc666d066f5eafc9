/**
 * Messages between the extension host and a trace's worker thread (traceWorker.ts). Both ends
 * are our own code in one process, so they are typed, not validated; what the webview sends is
 * validated before it gets here.
 */
import type { Artifact, TraceInfo } from '../../core/trace/model';
import type { OutlineArtifact, OutlineTotals } from '../../core/trace/outline';
import type { Verdict } from '../../core/judges/types';
import type { RootCause, ViewerVerdict } from '../../shared/traceViewerProtocol';
import type { SkeletonColumns } from '../../shared/skeletonColumns';

/** What the host keeps of an open trace: no span but the byte positions of each. */
export interface TraceSummary {
  info: TraceInfo;
  originNs: string;
  totals: OutlineTotals;
  artifacts: OutlineArtifact[];
  artifactsRange: [number, number] | null;
  /** The file the byte ranges point into, and its size and mtime when the outline was made. */
  dataFile: string;
  file: { bytes: number; mtimeMs: number };
  tempDir?: string;
}

export type ToWorker =
  | { type: 'open'; file: string; outlineFile?: string; outlineCached?: boolean }
  | { type: 'prepare'; id: number; verdicts: Verdict[]; revealSpanIds: string[] }
  | { type: 'skeleton'; id: number }
  | { type: 'rowsOf'; id: number; spanIds: string[] }
  | { type: 'totals'; id: number; file: string; outlineFile?: string }
  | { type: 'search'; searchId: number; query: string; regex: boolean; caseSensitive: boolean }
  | { type: 'cancelSearch'; searchId: number };

export type FromWorker =
  | { type: 'progress'; bytesRead: number; totalBytes: number }
  /** The first spans a scan read, as rows to show while it goes on (sent once, when a scan has more to read). */
  | { type: 'preview'; skeleton: SkeletonColumns }
  | { type: 'opened'; summary: TraceSummary; byteStart: Float64Array; byteEnd: Float64Array; warnings: string[]; built: boolean }
  | { type: 'failed'; id?: number; message: string }
  | { type: 'prepared'; id: number; verdicts: ViewerVerdict[]; reveal: number[]; rootCause: RootCause | null }
  | { type: 'skeleton'; id: number; skeleton: SkeletonColumns }
  | { type: 'rows'; id: number; rows: number[] }
  | { type: 'totals'; id: number; info: TraceInfo; totals: OutlineTotals; warnings: string[] }
  | { type: 'searchResults'; searchId: number; rows: number[]; done: boolean; truncated: boolean; error?: string };

export type { Artifact };
