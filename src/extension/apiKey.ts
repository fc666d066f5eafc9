import type * as vscodeTypes from 'vscode';
import type { VSCode } from './vscodeApi';

/** SecretStorage key of the model API key. The key is never written to settings or logs. */
const SECRET_KEY = 'costar.model.apiKey';

export class ApiKeyStore {
  constructor(
    private readonly vscode: VSCode,
    private readonly secrets: vscodeTypes.SecretStorage,
  ) {}

  get(): Thenable<string | undefined> {
    return this.secrets.get(SECRET_KEY);
  }

  /** The "coSTAR: Set API Key" command: an empty answer deletes the stored key. */
  async promptAndStore(): Promise<void> {
    const value = await this.vscode.window.showInputBox({
      title: 'coSTAR: Set API Key',
      prompt: 'API key for the model endpoint used by LLM judges (stored in VS Code SecretStorage; leave empty to remove it)',
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    if (value.trim() === '') {
      await this.secrets.delete(SECRET_KEY);
      void this.vscode.window.showInformationMessage('coSTAR: API key removed.');
    } else {
      await this.secrets.store(SECRET_KEY, value.trim());
      void this.vscode.window.showInformationMessage('coSTAR: API key stored in SecretStorage.');
    }
  }
}
