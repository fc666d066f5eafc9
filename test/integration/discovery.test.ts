import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../e2e/waitFor';
import { childrenOf, costarApi, itemAt, workspaceDir } from './helpers';

describe('discovery in the Test Explorer', () => {
  it('shows workspace → file → scenario → judge, with tags and the YAML positions as ranges', async () => {
    const api = await costarApi();
    const ws = path.basename(workspaceDir());
    const files = childrenOf(itemAt(api, [ws])).map((item) => item.label);
    assert.deepEqual(files, ['greetings.scenario.yaml', 'tone.scenario.yaml', 'tools.scenario.yaml', 'trouble.scenario.yaml']);

    const polite = itemAt(api, [ws, 'greetings.scenario.yaml', 'polite']);
    assert.equal(polite.uri?.fsPath, path.join(workspaceDir(), 'greetings.scenario.yaml'));
    // "  - id: polite" is on line 10 (1-based) of the fixture.
    assert.equal(polite.range?.start.line, 9);
    assert.deepEqual(polite.tags.map((t) => t.id), ['smoke', 'manners']);
    assert.equal(polite.description, 'The agent says please (it does not)');

    const judges = childrenOf(polite);
    assert.deepEqual(judges.map((j) => j.label), ['says hello', 'says please']);
    // Each expectation's item starts on its "- judge:" line (15 and 18, 1-based).
    assert.deepEqual(judges.map((j) => j.range?.start.line), [14, 17]);
  });

  it('follows edits: a new scenario appears, a syntax error shows in Problems and on the file item', async () => {
    const api = await costarApi();
    const ws = path.basename(workspaceDir());
    const file = path.join(workspaceDir(), 'extra.scenario.yaml');
    try {
      await fs.writeFile(file, 'scenarios:\n  - id: added-later\n    prompt: say hello\n');
      await waitFor('the new scenario in the tree', async () => {
        await api.discovered();
        return childrenOf(itemAt(api, [ws])).some((f) => f.label === 'extra.scenario.yaml' && childrenOf(f).some((s) => s.label === 'added-later'));
      });

      // Unsaved edit in an editor: an unclosed flow sequence on line 3.
      const document = await vscode.workspace.openTextDocument(file);
      const editor = await vscode.window.showTextDocument(document);
      await editor.edit((edit) => edit.insert(new vscode.Position(2, 0), '    tags: [oops\n'));
      const diagnostics = await waitFor('a coSTAR diagnostic for the syntax error', async () => {
        await api.discovered();
        const found = vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'coSTAR');
        return found.length > 0 ? found : undefined;
      });
      assert.equal(diagnostics[0]!.severity, vscode.DiagnosticSeverity.Error);
      assert.ok(diagnostics[0]!.range.start.line >= 2, `the error points into the edited lines, got line ${diagnostics[0]!.range.start.line + 1}`);
      const fileItem = itemAt(api, [ws, 'extra.scenario.yaml']);
      assert.ok(fileItem.error, 'the file item carries the error');
      const active = vscode.window.activeTextEditor?.document.uri.toString();
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      // Everything after depends on the buffer being gone: say so here rather than as a later timeout.
      assert.equal(document.isDirty, false, `the unsaved edit was reverted (the active editor was ${active}; tabs: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label)).join(', ')})`);
    } finally {
      await fs.rm(file, { force: true });
    }
    await waitFor('the deleted file leaves the tree and Problems', async () => {
      await api.discovered();
      return !childrenOf(itemAt(api, [ws])).some((f) => f.label === 'extra.scenario.yaml')
        && vscode.languages.getDiagnostics(vscode.Uri.file(file)).length === 0;
    });
  });
});
