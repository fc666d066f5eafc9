// OpenTelemetry setup for the analyst agent. The coSTAR harness passes the OTLP endpoint and
// its token through the standard OTEL_EXPORTER_OTLP_* variables; outside the harness (no
// endpoint) the agent runs untraced.
import { trace, SpanStatusCode } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';

const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const provider = endpoint ? new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] }) : undefined;
provider?.register();

export const tracer = trace.getTracer('analyst-agent', '1.0.0');

/** Runs `fn` inside a span with OpenInference attributes; records errors on the span. */
export async function inSpan(name, kind, input, fn) {
  return tracer.startActiveSpan(name, async (span) => {
    span.setAttribute('openinference.span.kind', kind);
    if (input !== undefined) span.setAttribute('input.value', typeof input === 'string' ? input : JSON.stringify(input));
    try {
      const output = await fn(span);
      if (output !== undefined) span.setAttribute('output.value', typeof output === 'string' ? output : JSON.stringify(output));
      return output;
    } catch (error) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Flushes every span to the harness before the process exits. */
export async function shutdownTracing() {
  await provider?.shutdown();
}
