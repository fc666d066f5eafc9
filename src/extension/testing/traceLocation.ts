import * as path from 'node:path';

/** Where the harness stores a trace (see DESIGN.md: `.costar/traces/<traceId>.trace.json`). */
export function traceFilePath(workspaceDir: string, traceId: string): string {
  return path.join(workspaceDir, '.costar', 'traces', `${traceId}.trace.json`);
}
