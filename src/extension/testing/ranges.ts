import type * as vscodeTypes from 'vscode';
import type { Range } from '../../core/scenario/yamlSource';
import type { VSCode } from '../vscodeApi';

/** Engine ranges are 1-based with an exclusive end; VS Code's are 0-based. */
export function toVsRange(vscode: VSCode, range: Range): vscodeTypes.Range {
  return new vscode.Range(range.line - 1, range.column - 1, range.endLine - 1, Math.max(range.endColumn - 1, 0));
}
