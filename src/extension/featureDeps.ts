/** What every feature (trace viewer, labeling, dashboard, run diff, Refine) gets from the Extension class. */
export interface FeatureDeps {
  /** The folder holding costar.yaml (the first workspace folder). */
  workspaceDir(): string | undefined;
  log(message: string): void;
}
