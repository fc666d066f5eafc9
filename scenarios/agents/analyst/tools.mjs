// The agent's tools. Each call is a TOOL span named after the tool, so judges can reason
// about the order of calls (read before write) and their failures.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { inSpan } from './tracing.mjs';

const run = promisify(execFile);

function toolSpan(name, input, fn) {
  return inSpan(name, 'TOOL', input, async (span) => {
    span.setAttribute('tool.name', name);
    span.setAttribute('gen_ai.operation.name', 'execute_tool');
    return fn();
  });
}

export const readFile = (file) => toolSpan('read_file', { path: file }, () => fs.readFile(file, 'utf8'));

export const writeFile = (file, text) =>
  toolSpan('write_file', { path: file, bytes: Buffer.byteLength(text) }, async () => {
    await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await fs.writeFile(file, text);
    return `wrote ${file}`;
  });

export const runCheck = (argv) =>
  toolSpan('run_check', { argv }, async () => {
    const { stdout, stderr } = await run(argv[0], argv.slice(1));
    return `ok ${stdout}${stderr}`.trim();
  });
