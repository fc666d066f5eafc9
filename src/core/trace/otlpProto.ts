/**
 * The subset of opentelemetry-proto (trace/v1, common/v1, resource/v1, collector/trace/v1) that
 * the receiver decodes, embedded as text because the engine is bundled by esbuild and must not
 * read .proto files at run time. Field numbers follow the upstream definitions; fields we never
 * read (links, dropped counts, flags) are left out and protobuf skips them.
 */
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }

message Resource { repeated KeyValue attributes = 1; }
message InstrumentationScope { string name = 1; string version = 2; }

message Status { string message = 2; int32 code = 3; }
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  repeated Event events = 11;
  Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }

// The success body; partial_success says how many spans the receiver dropped.
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }

// google.rpc.Status, the body of an OTLP/HTTP error response.
message RpcStatus { int32 code = 1; string message = 2; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;

export const ExportTraceServiceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
export const RpcStatus = root.lookupType('otlp.RpcStatus');
export const ExportTraceServiceResponse = root.lookupType('otlp.ExportTraceServiceResponse');

/** An ExportTraceServiceResponse whose partial_success counts the spans the receiver dropped. */
export function encodePartialSuccess(rejected: number, message: string): Uint8Array {
  return ExportTraceServiceResponse.encode(ExportTraceServiceResponse.create({ partial_success: { rejected_spans: rejected, error_message: message } })).finish();
}
