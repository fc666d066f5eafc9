/**
 * `costar mcp`: an MCP server over stdio for a workspace, so the coding assistant a user
 * already has (Copilot agent mode, Claude Code, Cursor, Codex) can run scenarios, read
 * verdicts and explore traces. The tools are core/assist's (shared with the editor's chat
 * tools); this file only speaks the protocol. stdout belongs to the protocol: nothing else
 * may be written there.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CliCommand } from '../command';
import { defineOptions, EXIT, WORKSPACE_OPTION } from '../command';
import { harnessPath, parseCliArgs, resolveWorkspace } from '../args';
import { ASSIST_TOOLS, assistToolInputSchema, callAssistTool } from '../../core/assist/tools';
import { warnUnapprovedKeyEnv } from '../modelKey';
import { version } from '../../../package.json';

const OPTIONS = defineOptions({ workspace: WORKSPACE_OPTION });

export const mcpCommand: CliCommand = {
  name: 'mcp',
  summary: 'Serve the workspace to a coding assistant over MCP (stdio): run scenarios, read verdicts and traces',
  usage: 'costar mcp [options]',
  options: OPTIONS,
  examples: ['costar mcp', 'costar mcp --workspace scenarios'],
  notes: 'Started by the coding assistant, which speaks MCP on its stdin/stdout; see README "Coding assistants".',
  async run(args, io) {
    const { values } = parseCliArgs(args, OPTIONS);
    const workspaceDir = resolveWorkspace(values.workspace, io.cwd);
    const server = new Server({ name: 'costar', version }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: Object.entries(ASSIST_TOOLS).map(([name, spec]) => ({ name, description: spec.description, inputSchema: assistToolInputSchema(name) as { type: 'object' } })),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const progressToken = request.params._meta?.progressToken;
      const answer = await callAssistTool(
        {
          workspaceDir,
          harnessPath: harnessPath(),
          env: io.env,
          signal: extra.signal,
          ...(progressToken !== undefined
            ? { onProgress: (progress, total, message) => void extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total, message } }) }
            : {}),
        },
        request.params.name,
        request.params.arguments ?? {},
      );
      return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.data, isError: answer.isError };
    });
    const closed = new Promise<void>((resolve) => {
      server.onclose = () => resolve();
    });
    await server.connect(new StdioServerTransport());
    io.stderr.write(`costar mcp: serving ${workspaceDir} over stdio\n`);
    // Its run and rescore tools judge with the model; their harness warnings go to the tool's answer, not here.
    await warnUnapprovedKeyEnv(io, workspaceDir);
    await closed;
    return EXIT.ok;
  },
};
