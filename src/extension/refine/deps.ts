/** What the Refine feature needs from the rest of the extension (injected by the Extension class). */
export interface RefineDeps {
  workspaceDir(): string | undefined;
  /** Absolute path of dist/harness.js. */
  harnessPath: string;
  /** The model API key (SecretStorage). */
  apiKey(): Thenable<string | undefined>;
  /** Where approvals of model key variables are remembered (see modelAccess.ts). */
  workspaceState: import('vscode').Memento;
  log(message: string): void;
  /**
   * Runs scenarios (all when undefined) the way the Test Explorer does, so the Testing view
   * shows the re-run; without it, verification runs the harness directly.
   */
  runScenarios?(workspaceDir: string, scenarioIds: string[] | undefined): Promise<void>;
  /** The scenario a Test Explorer item stands for (the context action on a failed scenario). */
  scenarioOf?(item: unknown): { workspaceDir: string; scenarioId: string } | undefined;
}
