/**
 * The OTLP/HTTP trace receiver the harness opens for each run: 127.0.0.1 only, a random port,
 * a per-run token, JSON and protobuf bodies (optionally gzip), and a size cap.
 *
 * Responses follow the OTLP/HTTP spec: 200 with an empty ExportTraceServiceResponse in the
 * request's encoding; errors carry a google.rpc.Status in that encoding, so exporters log a
 * readable reason. 401 (token), 413 (cap) and 400 (undecodable) are not retryable for
 * exporters, which is what we want: retrying would not help.
 */
import * as http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Span } from './model';
import { decodeOtlpJson, type SpansByTrace } from './otlp';
import { parseJsonKeepingNanos } from './nanos';

export interface OtlpReceiverOptions {
  /** The per-run secret the agent must present. */
  token: string;
  /** Largest accepted body, after decompression. Default 32 MiB. */
  maxBodyBytes?: number;
}

export interface ReceivedTrace {
  traceId: string;
  spans: Span[];
}

export interface OtlpReceiver {
  /** Base URL, e.g. http://127.0.0.1:43121 */
  readonly url: string;
  /** The environment variables that point an OpenTelemetry exporter at this receiver. */
  env(): Record<string, string>;
  /** Every span received so far, grouped by trace, in arrival order. A re-sent span replaces the earlier copy. */
  spans(): ReceivedTrace[];
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const TRACES_PATH = '/v1/traces';

type Encoding = 'json' | 'protobuf';

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function startOtlpReceiver(options: OtlpReceiverOptions): Promise<OtlpReceiver> {
  if (options.token === '') throw new Error('startOtlpReceiver: token must not be empty');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const expected = Buffer.from(options.token);
  const received = new Map<string, Map<string, Span>>();

  const server = http.createServer((req, res) => {
    // protobufjs is loaded only once a protobuf request arrives: most runs never see one.
    const protobuf = encodingOf(req) === 'protobuf' ? loadProtobuf() : undefined;
    handle(req, protobuf).then(
      async (encoding) => reply(res, 200, encoding, undefined, await protobuf),
      async (error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        reply(res, status, encodingOf(req) ?? 'json', error instanceof Error ? error.message : String(error), await protobuf);
      },
    );
  });

  async function handle(req: http.IncomingMessage, protobuf: Promise<ProtobufCodec> | undefined): Promise<Encoding> {
    if (req.url?.split('?')[0] !== TRACES_PATH) throw new HttpError(404, `not found: this receiver accepts POST ${TRACES_PATH}`);
    if (req.method !== 'POST') throw new HttpError(405, `method ${req.method} not allowed: use POST`);
    if (!authorized(req)) throw new HttpError(401, 'missing or wrong token: send "Authorization: Bearer <token>" (OTEL_EXPORTER_OTLP_HEADERS) or x-costar-token');
    const encoding = encodingOf(req);
    if (!encoding) throw new HttpError(415, `unsupported content-type ${JSON.stringify(req.headers['content-type'] ?? '')}: use application/json or application/x-protobuf`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) throw new HttpError(413, `body of ${declared} bytes exceeds the ${maxBodyBytes}-byte cap`);
    const body = await readBody(req, maxBodyBytes);
    let batch: SpansByTrace;
    try {
      batch = encoding === 'json' ? decodeOtlpJson(parseJsonKeepingNanos(body.toString('utf8'))) : (await protobuf!).decodeOtlpProtobuf(body);
    } catch (error) {
      throw new HttpError(400, `undecodable ${encoding} body: ${(error as Error).message}`);
    }
    for (const [traceId, spans] of batch) {
      let byId = received.get(traceId);
      if (!byId) received.set(traceId, (byId = new Map()));
      for (const span of spans) byId.set(span.spanId, span);
    }
    return encoding;
  }

  function authorized(req: http.IncomingMessage): boolean {
    const header = req.headers.authorization;
    const bearer = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] : undefined;
    const custom = req.headers['x-costar-token'];
    const presented = bearer ?? (typeof custom === 'string' ? custom : undefined);
    if (presented === undefined) return false;
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    env: () => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: url,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}${TRACES_PATH}`,
      // Both the JS and the Python exporters split on ',' and '=' and URL-decode each part.
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=${encodeURIComponent(`Bearer ${options.token}`)}`,
    }),
    spans: () => [...received].map(([traceId, byId]) => ({ traceId, spans: [...byId.values()] })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function encodingOf(req: http.IncomingMessage): Encoding | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  return undefined;
}

/** Reads the body, decompressing gzip/deflate, and fails as soon as it passes the cap. */
async function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  let stream: Readable = req;
  if (contentEncoding === 'gzip') stream = req.pipe(createGunzip());
  else if (contentEncoding === 'deflate') stream = req.pipe(createInflate());
  else if (contentEncoding !== 'identity') throw new HttpError(415, `unsupported content-encoding ${JSON.stringify(contentEncoding)}: use gzip or none`);

  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        stream.destroy();
        throw new HttpError(413, `body exceeds the ${maxBytes}-byte cap`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, `unreadable body: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks, size);
}

type ProtobufCodec = typeof import('./otlpProtobuf') & typeof import('./otlpProto');

function loadProtobuf(): Promise<ProtobufCodec> {
  return Promise.all([import('./otlpProtobuf'), import('./otlpProto')]).then(([decoder, schema]) => ({ ...decoder, ...schema }));
}

function reply(res: http.ServerResponse, status: number, encoding: Encoding, errorMessage: string | undefined, protobuf: ProtobufCodec | undefined): void {
  // google.rpc.Code: INVALID_ARGUMENT (3) for client errors, UNAUTHENTICATED (16) for 401.
  const code = status === 401 ? 16 : 3;
  let body: Uint8Array;
  if (encoding === 'json') {
    body = Buffer.from(errorMessage === undefined ? '{}' : JSON.stringify({ code, message: errorMessage }));
  } else {
    const { RpcStatus } = protobuf!;
    body = errorMessage === undefined ? new Uint8Array(0) : RpcStatus.encode(RpcStatus.create({ code, message: errorMessage })).finish();
  }
  res.writeHead(status, {
    'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf',
    'content-length': body.length,
    // An early error leaves the request body unread; closing the connection discards it.
    ...(status === 200 ? {} : { connection: 'close' }),
  });
  res.end(body);
}
