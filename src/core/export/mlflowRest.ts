/**
 * The few MLflow tracking-server REST calls the export needs, as MLflow documents and its own
 * clients use them:
 *   POST /api/3.0/mlflow/traces                         StartTraceV3: {trace: {trace_info}} → {trace: {trace_info}}
 *   PUT  /api/2.0/mlflow-artifacts/artifacts/<path>/traces.json   span data, at the trace's
 *        `mlflow.artifactLocation` tag (mlflow-artifacts:/… when the server proxies artifacts)
 *   POST /api/3.0/mlflow/traces/{trace_id}/assessments  CreateAssessment: {assessment}
 * All bodies are proto-JSON (snake_case). Credentials are sent as headers and never appear
 * in errors.
 */
export interface MlflowAuth {
  /** MLFLOW_TRACKING_TOKEN: sent as a bearer token. */
  token?: string;
  /** MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD: HTTP basic auth. */
  username?: string;
  password?: string;
}

export class MlflowRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode?: string,
  ) {
    super(message);
  }
}

export class MlflowRest {
  private readonly base: string;

  constructor(
    trackingUri: string,
    private readonly auth: MlflowAuth = {},
  ) {
    let url: URL;
    try {
      url = new URL(trackingUri);
    } catch {
      throw new Error(`--mlflow ${trackingUri}: expected the tracking server's URL, e.g. http://127.0.0.1:5000`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--mlflow ${trackingUri}: expected an http:// or https:// URL`);
    this.base = url.href.replace(/\/+$/, '');
  }

  /** The HTTP URL of a file under an `mlflow-artifacts:` location, or undefined for other stores. */
  artifactUrl(artifactLocation: string, file: string): string | undefined {
    if (!artifactLocation.startsWith('mlflow-artifacts:')) return undefined;
    const pathname = new URL(artifactLocation).pathname.replace(/\/+$/, '');
    return `${this.base}/api/2.0/mlflow-artifacts/artifacts${pathname.startsWith('/') ? '' : '/'}${pathname}/${file}`;
  }

  async postJson<T>(apiPath: string, body: unknown): Promise<T> {
    return this.request<T>('POST', `${this.base}${apiPath}`, JSON.stringify(body));
  }

  async putJson(url: string, body: unknown): Promise<void> {
    await this.request('PUT', url, JSON.stringify(body));
  }

  private async request<T>(method: string, url: string, body: string): Promise<T> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.auth.token) headers.Authorization = `Bearer ${this.auth.token}`;
    else if (this.auth.username !== undefined) headers.Authorization = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password ?? ''}`).toString('base64')}`;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body });
    } catch (error) {
      throw new MlflowRequestError(`${method} ${url}: cannot reach the MLflow server (${(error as Error).cause ?? (error as Error).message})`, 0);
    }
    const text = await response.text();
    if (!response.ok) {
      let code: string | undefined;
      let message = text.slice(0, 500);
      try {
        const parsed = JSON.parse(text) as { error_code?: string; message?: string };
        code = parsed.error_code;
        message = parsed.message ?? message;
      } catch {
        // Not MLflow's JSON error: keep the start of the body.
      }
      const hint = response.status === 401 || response.status === 403 ? ' (check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD)' : '';
      throw new MlflowRequestError(`${method} ${url}: HTTP ${response.status}${code ? ` ${code}` : ''}: ${message}${hint}`, response.status, code);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }
}
