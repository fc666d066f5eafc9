/**
 * The OTLP trace receiver the harness opens for each run: 127.0.0.1 only, a random port, a
 * per-run token, a cap per body and a cap on everything one attempt may send (batches past it
 * are dropped and counted, so a flooding agent costs bounded memory). One port serves OTLP/HTTP (JSON and protobuf bodies, optionally
 * gzip) and OTLP/gRPC: a connection that opens with the HTTP/2 preface is handed to the gRPC
 * server (receiverGrpc.ts), anything else to the HTTP/1.1 server. So every exporter reaches it
 * through the same OTEL_EXPORTER_OTLP_* variables whatever protocol it is hard-wired to.
 *
 * Responses follow the OTLP/HTTP spec: 200 with an empty ExportTraceServiceResponse in the
 * request's encoding; errors carry a google.rpc.Status in that encoding, so exporters log a
 * readable reason. 401 (token), 413 (cap) and 400 (undecodable) are not retryable for
 * exporters, which is what we want: retrying would not help.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Span } from './model';
import { decodeOtlpJson, type SpansByTrace } from './otlp';
import { parseJsonKeepingNanos } from './nanos';
import type { GrpcReceiver } from './receiverGrpc';

export interface OtlpReceiverOptions {
  /** The per-run secret the agent must present. */
  token: string;
  /** Largest accepted body, after decompression. Default 32 MiB. */
  maxBodyBytes?: number;
  /** Body bytes (after decompression) accepted in total; later batches are dropped. Default 64 MiB. */
  maxTotalBytes?: number;
}

/** What the receiver refused because the total cap was reached. */
export interface DroppedSpans {
  spans: number;
  bytes: number;
  requests: number;
  /** The cap that was reached. */
  capBytes: number;
}

export interface ReceivedTrace {
  traceId: string;
  spans: Span[];
}

export interface OtlpReceiver {
  /** Base URL, e.g. http://127.0.0.1:43121 */
  readonly url: string;
  /** The environment variables that point an OpenTelemetry (or Traceloop) exporter at this receiver. */
  env(): Record<string, string>;
  /** Every span received so far, grouped by trace, in arrival order. A re-sent span replaces the earlier copy. */
  spans(): ReceivedTrace[];
  /** Spans refused because the total cap was reached; undefined while nothing was dropped. */
  dropped(): DroppedSpans | undefined;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_TOTAL_BYTES = 64 * 1024 * 1024;
/** Why spans were dropped: sent back to the exporter in partial_success. */
const SPAN_CAP_MESSAGE = 'the per-attempt span cap of this coSTAR run was reached; spans dropped';
const TRACES_PATH = '/v1/traces';
/** The token header: a plain name and a hex value, so no exporter needs to encode anything. */
export const TOKEN_HEADER = 'x-costar-token';
/** How long a connection may stay silent before its first byte says which protocol it speaks. */
const FIRST_BYTE_TIMEOUT_MS = 30_000;

type Encoding = 'json' | 'protobuf';

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function startOtlpReceiver(options: OtlpReceiverOptions): Promise<OtlpReceiver> {
  if (options.token === '') throw new Error('startOtlpReceiver: token must not be empty');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  let acceptedBytes = 0;
  const dropped: DroppedSpans = { spans: 0, bytes: 0, requests: 0, capBytes: maxTotalBytes };
  const expected = Buffer.from(options.token);
  const received = new Map<string, Map<string, Span>>();

  const server = http.createServer((req, res) => {
    // protobufjs is loaded only once a protobuf request arrives: most runs never see one.
    const protobuf = encodingOf(req) === 'protobuf' ? loadProtobuf() : undefined;
    handle(req, protobuf).then(
      async ({ encoding, rejected }) => reply(res, 200, encoding, undefined, await protobuf, rejected),
      async (error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        reply(res, status, encodingOf(req) ?? 'json', error instanceof Error ? error.message : String(error), await protobuf);
      },
    );
  });

  async function handle(req: http.IncomingMessage, protobuf: Promise<ProtobufCodec> | undefined): Promise<{ encoding: Encoding; rejected?: number }> {
    if (req.url?.split('?')[0] !== TRACES_PATH) throw new HttpError(404, `not found: this receiver accepts POST ${TRACES_PATH}`);
    if (req.method !== 'POST') throw new HttpError(405, `method ${req.method} not allowed: use POST`);
    if (!authorized(req)) throw new HttpError(401, `missing or wrong token: send the ${TOKEN_HEADER} header that OTEL_EXPORTER_OTLP_HEADERS names (or "Authorization: Bearer <token>")`);
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
    const rejected = accept(batch, body.length);
    return { encoding, ...(rejected === undefined ? {} : { rejected }) };
  }

  /**
   * Every request (HTTP or gRPC) adds its spans to the one map: spans of a trace sent one per
   * request end up together. Past the total cap a batch is dropped whole (a trace with a random
   * half of a batch would mislead) and the number of its spans is returned.
   */
  function accept(batch: SpansByTrace, bytes: number): number | undefined {
    if (acceptedBytes + bytes > maxTotalBytes) {
      const count = [...batch.values()].reduce((sum, spans) => sum + spans.length, 0);
      dropped.spans += count;
      dropped.bytes += bytes;
      dropped.requests++;
      return count;
    }
    acceptedBytes += bytes;
    for (const [traceId, spans] of batch) {
      let byId = received.get(traceId);
      if (!byId) received.set(traceId, (byId = new Map()));
      for (const span of spans) byId.set(span.spanId, span);
    }
    return undefined;
  }

  function authorized(req: http.IncomingMessage): boolean {
    return tokenMatches(expected, req.headers.authorization, req.headers[TOKEN_HEADER]);
  }

  // The front door: peek at the first bytes of each connection and route it.
  const sockets = new Set<net.Socket>();
  let grpc: Promise<GrpcReceiver> | undefined;
  const door = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.setTimeout(0);
      socket.unshift(chunk);
      if (!isHttp2Preface(chunk)) {
        server.emit('connection', socket);
        socket.resume();
        return;
      }
      grpc ??= import('./receiverGrpc').then((m) => m.startGrpcReceiver({ maxMessageBytes: maxBodyBytes, capMessage: SPAN_CAP_MESSAGE, authorized: (metadata) => tokenMatches(expected, metadata.authorization, metadata[TOKEN_HEADER]), accept }));
      grpc.then(
        (g) => {
          g.inject(socket);
          socket.resume();
        },
        () => socket.destroy(),
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    door.once('error', reject);
    door.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = door.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const headers = `${TOKEN_HEADER}=${options.token}`;

  return {
    url,
    // The endpoint only as the traces-specific variable: the base OTEL_EXPORTER_OTLP_ENDPOINT
    // would also send metrics and logs here (404s), and it switches on MLflow's metrics export,
    // which fails in the tracing-only package. Every OTel SDK reads the traces-specific one first.
    env: () => ({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}${TRACES_PATH}`,
      OTEL_EXPORTER_OTLP_HEADERS: headers,
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: headers,
      // SDKs that pick an exporter by protocol pick http/protobuf; one hard-wired to gRPC reaches
      // the same port anyway (gRPC exporters take host:port from the URL and ignore the path).
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      // Traceloop's own exporter reads these instead (it appends /v1/traces itself).
      TRACELOOP_BASE_URL: url,
      TRACELOOP_HEADERS: headers,
      // The base URL, for exporters configured in code.
      COSTAR_OTLP_ENDPOINT: url,
    }),
    spans: () => [...received].map(([traceId, byId]) => ({ traceId, spans: [...byId.values()] })),
    dropped: () => (dropped.requests > 0 ? { ...dropped } : undefined),
    close: async () => {
      const closing = new Promise<void>((resolve, reject) => door.close((error) => (error ? reject(error) : resolve())));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      if (grpc) await grpc.then((g) => g.close(), () => undefined);
      await closing;
    },
  };
}

/**
 * The token as the agent presented it: `Authorization: Bearer <token>` (also percent-encoded,
 * "Bearer%20<token>", as exporters that split OTEL_EXPORTER_OTLP_HEADERS without decoding send
 * it) or the x-costar-token header.
 */
function tokenMatches(expected: Buffer, authorization: unknown, custom: unknown): boolean {
  const candidates: string[] = [];
  for (const value of [authorization, custom].flat()) {
    if (typeof value !== 'string') continue;
    let text = value.trim();
    try {
      text = decodeURIComponent(text);
    } catch {
      // Not percent-encoded after all: compare as sent.
    }
    candidates.push(/^Bearer\s+(.+)$/i.exec(text)?.[1]?.trim() ?? text);
  }
  return candidates.some((presented) => {
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** HTTP/2's connection preface starts "PRI * HTTP/2.0"; no HTTP/1.1 method starts with "PRI". */
function isHttp2Preface(chunk: Buffer): boolean {
  return chunk.subarray(0, 3).toString('latin1') === 'PRI';
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

function reply(res: http.ServerResponse, status: number, encoding: Encoding, errorMessage: string | undefined, protobuf: ProtobufCodec | undefined, rejected?: number): void {
  // google.rpc.Code: INVALID_ARGUMENT (3) for client errors, UNAUTHENTICATED (16) for 401.
  const code = status === 401 ? 16 : 3;
  // Dropped batches are still a success (200: retrying cannot help), with OTLP's partial_success saying so.
  let body: Uint8Array;
  if (encoding === 'json') {
    const success = rejected === undefined ? {} : { partialSuccess: { rejectedSpans: String(rejected), errorMessage: SPAN_CAP_MESSAGE } };
    body = Buffer.from(errorMessage === undefined ? JSON.stringify(success) : JSON.stringify({ code, message: errorMessage }));
  } else {
    const { RpcStatus } = protobuf!;
    if (errorMessage !== undefined) body = RpcStatus.encode(RpcStatus.create({ code, message: errorMessage })).finish();
    else body = rejected === undefined ? new Uint8Array(0) : protobuf!.encodePartialSuccess(rejected, SPAN_CAP_MESSAGE);
  }
  res.writeHead(status, {
    'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf',
    'content-length': body.length,
    // An early error leaves the request body unread; closing the connection discards it.
    ...(status === 200 ? {} : { connection: 'close' }),
  });
  res.end(body);
}

