/**
 * package.json's `languageModelTools` entries, generated from the tool catalog so the editor's
 * declaration can never drift from what the tools accept (`npm run schemas` writes them; a
 * unit test fails when package.json is stale).
 */
import { ASSIST_TOOLS, assistToolInputSchema } from './tools';

/** Tools that start agents or judges: confirmed by the user in the editor, refused in untrusted workspaces. */
export const RUNS_CODE: ReadonlySet<string> = new Set(['run_scenarios', 'rescore']);

/** A tool's name in the editor (`vscode.lm`): `costar_<tool>`. */
export function assistToolName(coreName: string): string {
  return `costar_${coreName}`;
}

export interface ToolContribution {
  name: string;
  toolReferenceName: string;
  displayName: string;
  modelDescription: string;
  userDescription: string;
  canBeReferencedInPrompt: boolean;
  icon: string;
  tags: string[];
  inputSchema: Record<string, unknown>;
}

export function languageModelToolContributions(): ToolContribution[] {
  return Object.entries(ASSIST_TOOLS).map(([name, spec]) => ({
    name: assistToolName(name),
    toolReferenceName: assistToolName(name),
    displayName: `coSTAR: ${name.replace(/_/g, ' ')}`,
    modelDescription: spec.description,
    userDescription: spec.description,
    canBeReferencedInPrompt: true,
    icon: RUNS_CODE.has(name) ? '$(play)' : '$(list-tree)',
    tags: ['costar', 'agents', 'evaluation'],
    inputSchema: assistToolInputSchema(name),
  }));
}
