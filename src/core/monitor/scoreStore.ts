/**
 * What monitoring computed per production trace — its metrics and each judge's verdict —
 * under `.costar/monitor/scores/<traceId>.json`, written atomically. A report re-scores only
 * traces or judges that are new, or judges whose config (id + arguments) changed.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Outcome } from '../judges/types';
import type { TraceMetrics } from '../judges/metrics';
import { canonicalJson } from '../trace/hash';
import { writeFileAtomic } from '../util/atomicWrite';
import type { MonitorJudge } from './config';
import { listDir, readTextIfExists } from '../util/files';
import { isTraceId } from '../trace/ids';
import { monitorScoresDir } from '../layout';

export interface StoredScore {
  /** Hash of the judge's id, arguments and (for judge files) version when it scored. */
  fingerprint: string;
  outcome: Outcome;
  rationale: string;
  error?: string;
}

export interface TraceScores {
  traceId: string;
  time: number;
  metrics: TraceMetrics;
  /** By judge name. */
  verdicts: Record<string, StoredScore>;
}

export function judgeFingerprint(judge: MonitorJudge, judgeVersion?: string): string {
  const identity = judgeVersion === undefined ? { judge: judge.judge, with: judge.with } : { judge: judge.judge, with: judge.with, version: judgeVersion };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16);
}

export class ScoreStore {
  readonly dir: string;

  constructor(workspaceDir: string) {
    this.dir = monitorScoresDir(workspaceDir);
  }

  private file(traceId: string): string {
    if (!isTraceId(traceId)) throw new Error(`not a trace id: ${JSON.stringify(traceId)}`);
    return path.join(this.dir, `${traceId}.json`);
  }

  async get(traceId: string): Promise<TraceScores | undefined> {
    const text = await readTextIfExists(this.file(traceId));
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as TraceScores;
    } catch (error) {
      throw new Error(`${this.file(traceId)}: ${(error as Error).message} (delete it to score the trace again)`);
    }
  }

  /** Every stored record (what the last reports scored), for views that must not score. */
  async all(): Promise<TraceScores[]> {
    const records: TraceScores[] = [];
    for (const name of await listDir(this.dir)) {
      const match = /^([0-9a-f]{32})\.json$/.exec(name);
      if (!match) continue;
      const record = await this.get(match[1]!);
      if (record) records.push(record);
    }
    return records;
  }

  async put(scores: TraceScores): Promise<void> {
    await writeFileAtomic(this.file(scores.traceId), JSON.stringify(scores));
  }
}
