/**
 * The MLflow tracking-server calls coSTAR makes, as MLflow's server defines them
 * (mlflow/protos/service.proto, mlflow/server/handlers.py, mlflow/server/otel_api.py):
 *   GET   /api/2.0/mlflow/experiments/get | get-by-name, POST …/experiments/create
 *   POST  /v1/traces                                 OTLP/HTTP ingest, header x-mlflow-experiment-id
 *   POST  /api/3.0/mlflow/traces                     StartTraceV3 (the REST path)
 *   PUT   /api/2.0/mlflow-artifacts/artifacts/<path>/traces.json   spans of the REST path
 *   GET   /api/3.0/mlflow/traces/{trace_id}          GetTraceInfoV3 (with its assessments)
 *   GET   /api/3.0/mlflow/traces/get?trace_id=       GetTrace (info and spans)
 *   POST  /api/3.0/mlflow/traces/search              SearchTracesV3 (filter, max_results ≤ 500, page_token)
 *   PATCH /api/2.0/mlflow/traces/{trace_id}/tags     SetTraceTag
 *   POST  /api/3.0/mlflow/traces/{trace_id}/assessments   CreateAssessment
 * Bodies are proto-JSON (snake_case). Credentials are sent as headers and never appear in errors.
 */
import { parseJsonKeepingNanos } from '../trace/nanos';

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

/** The credentials of MLflow's own client environment variables. */
export function mlflowAuthFromEnv(env: NodeJS.ProcessEnv): MlflowAuth {
  return {
    ...(env.MLFLOW_TRACKING_TOKEN ? { token: env.MLFLOW_TRACKING_TOKEN } : {}),
    ...(env.MLFLOW_TRACKING_USERNAME ? { username: env.MLFLOW_TRACKING_USERNAME, password: env.MLFLOW_TRACKING_PASSWORD ?? '' } : {}),
  };
}

const REQUEST_TIMEOUT_MS = 60_000;

export class MlflowRest {
  readonly base: string;

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

  async get<T>(apiPath: string, query: Record<string, string> = {}): Promise<T> {
    const qs = new URLSearchParams(query).toString();
    return this.request<T>('GET', `${this.base}${apiPath}${qs ? `?${qs}` : ''}`);
  }

  /** GET of a full URL on this server (an artifact the server proxies). */
  async getUrl<T>(url: string): Promise<T> {
    return this.request<T>('GET', url);
  }

  async postJson<T>(apiPath: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.request<T>('POST', `${this.base}${apiPath}`, JSON.stringify(body), headers);
  }

  async patchJson<T>(apiPath: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', `${this.base}${apiPath}`, JSON.stringify(body));
  }

  async putJson(url: string, body: unknown): Promise<void> {
    await this.request('PUT', url, JSON.stringify(body));
  }

  /** Undefined for a 404 RESOURCE_DOES_NOT_EXIST; other failures throw. */
  async getIfExists<T>(apiPath: string, query: Record<string, string> = {}): Promise<T | undefined> {
    try {
      return await this.get<T>(apiPath, query);
    } catch (error) {
      if (error instanceof MlflowRequestError && (error.errorCode === 'RESOURCE_DOES_NOT_EXIST' || (error.status === 404 && error.errorCode === undefined))) return undefined;
      throw error;
    }
  }

  private async request<T>(method: string, url: string, body?: string, extraHeaders: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...extraHeaders };
    if (this.auth.token) headers.Authorization = `Bearer ${this.auth.token}`;
    else if (this.auth.username !== undefined) headers.Authorization = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password ?? ''}`).toString('base64')}`;
    const shown = url.split('?')[0];
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw new MlflowRequestError(`${method} ${shown}: cannot reach the MLflow server (${(error as Error).cause ?? (error as Error).message})`, 0);
    }
    const text = await response.text();
    if (!response.ok) {
      let code: string | undefined;
      let message = text.slice(0, 500);
      try {
        const parsed = JSON.parse(text) as { error_code?: string; message?: string; detail?: unknown };
        code = parsed.error_code;
        message = parsed.message ?? (parsed.detail !== undefined ? JSON.stringify(parsed.detail) : message);
      } catch {
        // Not MLflow's JSON error: keep the start of the body.
      }
      const hint = response.status === 401 || response.status === 403 ? ' (check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD)' : '';
      throw new MlflowRequestError(`${method} ${shown}: HTTP ${response.status}${code ? ` ${code}` : ''}: ${message}${hint}`, response.status, code);
    }
    // The OTLP endpoint answers with an (empty) protobuf ExportTraceServiceResponse.
    if (!text || (response.headers.get('content-type') ?? '').includes('protobuf')) return {} as T;
    // GetTrace writes span times as bare 19-digit integers: keep them exact.
    return parseJsonKeepingNanos(text) as T;
  }
}
