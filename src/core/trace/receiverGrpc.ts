/**
 * OTLP/gRPC for the trace receiver: the collector's TraceService/Export on @grpc/grpc-js, fed
 * with the connections the receiver's front door recognised as HTTP/2 (no port of its own).
 * Messages are decoded by the same protobuf decoder as OTLP/HTTP bodies; grpc-js handles
 * gzip-compressed messages and the size cap.
 */
import * as grpc from '@grpc/grpc-js';
import type { Duplex } from 'node:stream';
import { decodeOtlpProtobuf } from './otlpProtobuf';
import type { SpansByTrace } from './otlp';
import { encodePartialSuccess } from './otlpProto';

export interface GrpcReceiverOptions {
  maxMessageBytes: number;
  /** What partial_success says when spans were dropped. */
  capMessage: string;
  /** Is the call's metadata (first value of each key) carrying the run's token? */
  authorized(metadata: Record<string, string | undefined>): boolean;
  /** Keeps the batch; returns how many of its spans were dropped (total cap reached), if any. */
  accept(batch: SpansByTrace, bytes: number): number | undefined;
}

export interface GrpcReceiver {
  inject(connection: Duplex): void;
  close(): Promise<void>;
}

const raw = (buffer: Buffer): Buffer => buffer;

const TRACE_SERVICE: grpc.ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  },
};

export async function startGrpcReceiver(options: GrpcReceiverOptions): Promise<GrpcReceiver> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
  });
  const exportCall: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const metadata: Record<string, string | undefined> = {};
    for (const [key, values] of Object.entries(call.metadata.getMap())) metadata[key] = String(values);
    if (!options.authorized(metadata)) {
      callback({ code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong token: send the x-costar-token metadata that OTEL_EXPORTER_OTLP_HEADERS names' });
      return;
    }
    let batch: SpansByTrace;
    try {
      batch = decodeOtlpProtobuf(call.request);
    } catch (error) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: (error as Error).message });
      return;
    }
    const rejected = options.accept(batch, call.request.length);
    // An empty ExportTraceServiceResponse is full success; partial_success counts dropped spans.
    callback(null, rejected === undefined ? Buffer.alloc(0) : Buffer.from(encodePartialSuccess(rejected, options.capMessage)));
  };
  server.addService(TRACE_SERVICE, { Export: exportCall });
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  return {
    inject: (connection) => injector.injectConnection(connection),
    close: async () => {
      injector.destroy();
      server.forceShutdown();
    },
  };
}
