/**
 * The editor's side of "the user's own coding assistant closes the loop": coSTAR's assistant
 * tools (core/assist) as Language Model Tools for Copilot agent mode and any chat that uses
 * `vscode.lm`, and "Fix with assistant" on a failing test message. Loaded on first use
 * (dist/features/assist.js); extension.ts registers thin stand-ins at activation.
 * Tools that start agents or judges (run, rescore) need a trusted workspace; reading stored
 * results does not.
 */
import type * as vscodeTypes from 'vscode';
import { ASSIST_TOOLS, callAssistTool } from '../../core/assist/tools';
import { loadConfig, loadWorkspace } from '../../core/scenario/load';
import type { FeatureDeps } from '../featureDeps';
import { modelEnvironment, readSettings } from '../settings';
import type { VSCode } from '../vscodeApi';
import { fixWithAssistant } from './fixWithAssistant';
import { assistToolName, RUNS_CODE } from '../../core/assist/toolContributions';

export interface AssistDeps extends FeatureDeps {
  harnessPath: string;
  /** The model key from SecretStorage, for the judges of a run (never stored). */
  apiKey(): Thenable<string | undefined>;
}

export interface AssistFeature {
  invoke(tool: string, input: unknown, token: vscodeTypes.CancellationToken): Promise<vscodeTypes.LanguageModelToolResult>;
  prepare(tool: string, input: unknown): vscodeTypes.PreparedToolInvocation;
}

export function createAssistFeature(vscode: VSCode, deps: AssistDeps): AssistFeature {
  const coreName = (tool: string) => Object.keys(ASSIST_TOOLS).find((name) => assistToolName(name) === tool) ?? tool;
  return {
    prepare(tool, input) {
      const name = coreName(tool);
      if (!RUNS_CODE.has(name)) return { invocationMessage: `coSTAR: ${name.replace(/_/g, ' ')}` };
      const what = describeSelection(input);
      return {
        invocationMessage: `coSTAR: ${name === 'rescore' ? 're-scoring' : 'running'} ${what}`,
        confirmationMessages: {
          title: name === 'rescore' ? 'Re-score stored traces?' : 'Run scenarios?',
          message: name === 'rescore' ? `Judges (possibly model calls) will assess ${what}.` : `coSTAR will start the agent under test for ${what}, in fresh sandboxes, and judge the traces.`,
        },
      };
    },
    async invoke(tool, input, token) {
      const name = coreName(tool);
      const text = (value: string) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(value)]);
      const workspaceDir = deps.workspaceDir();
      if (!workspaceDir) return text('Error: no workspace folder with a costar.yaml is open.');
      if (RUNS_CODE.has(name) && !vscode.workspace.isTrusted) {
        return text('Error: this workspace is not trusted, so coSTAR does not run agents or judges in it. Ask the user to trust the workspace (Manage Workspace Trust) first.');
      }
      const abort = new AbortController();
      const subscription = token.onCancellationRequested(() => abort.abort());
      try {
        // The judges of a run get the model settings and key as the Run profile gives them.
        const secretEnv = RUNS_CODE.has(name)
          ? modelEnvironment(readSettings(vscode, vscode.Uri.file(workspaceDir)), await deps.apiKey(), (await loadConfig(workspaceDir)).config?.model?.apiKeyEnv)
          : {};
        const answer = await callAssistTool({ workspaceDir, harnessPath: deps.harnessPath, signal: abort.signal, secretEnv }, name, input);
        deps.log(`assistant tool ${name}: ${answer.isError ? answer.text : 'ok'}`);
        return text(answer.text);
      } finally {
        subscription.dispose();
      }
    },
  };
}

function describeSelection(input: unknown): string {
  const args = (input ?? {}) as { scenario_ids?: string[]; tags?: string[]; filter?: string; run_id?: string };
  const parts: string[] = [];
  if (args.scenario_ids?.length) parts.push(args.scenario_ids.join(', '));
  if (args.tags?.length) parts.push(`tags ${args.tags.join(', ')}`);
  if (args.filter) parts.push(`matching "${args.filter}"`);
  if (args.run_id && args.run_id !== 'latest') parts.push(`run ${args.run_id}`);
  return parts.length > 0 ? parts.join('; ') : 'every scenario';
}

export interface AssistCommandDeps extends AssistDeps {
  /** The scenario a test item stands for (a scenario or one of its expectations). */
  scenarioOf(item: unknown): { workspaceDir: string; scenarioId: string } | undefined;
}

/** `costar.fixWithAssistant`, from a failing test message (`testing/message/context`). */
export function registerAssistCommands(vscode: VSCode, deps: AssistCommandDeps): vscodeTypes.Disposable[] {
  return [
    vscode.commands.registerCommand('costar.fixWithAssistant', async (arg?: { test?: vscodeTypes.TestItem; message?: vscodeTypes.TestMessage }) => {
      const scenario = deps.scenarioOf(arg?.test);
      if (!scenario) {
        void vscode.window.showInformationMessage('coSTAR: pick "Fix with assistant" on a failing scenario\'s message in the Test Results.');
        return;
      }
      const workspace = await loadWorkspace(scenario.workspaceDir);
      const config = workspace.config;
      const agentName = workspace.scenarios.find((s) => s.def.id === scenario.scenarioId)?.agentName;
      const message = arg?.message?.message;
      const text = typeof message === 'string' ? message : message?.value ?? '';
      const expectation = arg?.test && arg.test.label !== scenario.scenarioId ? arg.test.label : undefined;
      const way = await fixWithAssistant(
        vscode.commands,
        { scenarioId: scenario.scenarioId, ...(expectation ? { expectation } : {}), text: stripLinks(text), sourceFolders: (agentName && config?.agents[agentName]?.source) || [] },
        arg?.test,
      );
      deps.log(`fix with assistant (${scenario.scenarioId}): ${way === 'chat' ? 'opened the chat' : 'no chat available, started Refine'}`);
    }),
  ];
}

/** Message Markdown carries command links (Open trace) an assistant cannot follow. */
function stripLinks(markdown: string): string {
  return markdown.replace(/\[([^\]]*)\]\((?:command:|vscode:)[^)]*\)/g, '').trim();
}
