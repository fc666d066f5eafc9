import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { defineCheck, errored, failed, passed } from './check';
import { artifactEvidence, rootEvidence } from './evidence';
import { normalizeArtifactPath } from './traceText';

/** Files must exist after the run: in the sandbox when it still exists, else among the trace's artifacts. */
export const fileExists = defineCheck({
  id: 'file-exists',
  description: 'The listed files exist after the run (with: paths).',
  args: z.strictObject({ paths: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]) }),
  async run(ctx, args) {
    const paths = typeof args.paths === 'string' ? [args.paths] : args.paths;
    const missing: string[] = [];
    const found: string[] = [];
    for (const relative of paths) {
      const normal = normalizeArtifactPath(relative);
      if (normal === undefined) return errored(`with.paths: ${JSON.stringify(relative)} must be relative to the sandbox and stay inside it`);
      if (!(await exists(ctx.sandboxDir, normal)) && !ctx.trace.artifacts.some((a) => a.path === normal && a.change !== 'deleted')) {
        missing.push(normal);
      } else found.push(normal);
    }
    const where = ctx.sandboxDir ? 'the sandbox or the trace artifacts' : `the trace's ${ctx.trace.artifacts.length} artifacts (the sandbox is gone)`;
    // A missing file has no writer: the root span (the whole run) is the evidence, the file is named.
    if (missing.length > 0) return failed(`missing ${missing.length} of ${paths.length} files: ${missing.join(', ')} (looked in ${where})`, { spanIds: rootEvidence(ctx.trace) });
    return passed(`all ${paths.length} files exist: ${paths.join(', ')}`, { spanIds: [...new Set(found.flatMap((p) => artifactEvidence(ctx.trace, p)))] });
  },
});

async function exists(sandboxDir: string | undefined, relative: string): Promise<boolean> {
  if (!sandboxDir) return false;
  try {
    await fs.access(path.join(sandboxDir, relative));
    return true;
  } catch {
    return false;
  }
}
