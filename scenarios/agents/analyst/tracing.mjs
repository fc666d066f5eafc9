// OpenTelemetry setup for the analyst agent. The coSTAR harness passes the OTLP endpoint and
// its token through the standard OTEL_EXPORTER_OTLP_* variables; outside the harness (no
// endpoint) the agent runs untraced.
//
// The SDK comes from npm (../../package.json lists it). Copied out of the coSTAR repository
// without it, the agent says what to install instead of dying with ERR_MODULE_NOT_FOUND.
import { fileURLToPath } from 'node:url';

async function load(name) {
  try {
    return await import(name);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    const workspace = fileURLToPath(new URL('../..', import.meta.url));
    process.stderr.write(
      `analyst agent: cannot load ${name}: this example agent needs the OpenTelemetry SDK.\n` +
        `Install it with \`npm install\` in ${workspace} (its package.json lists the packages),\n` +
        'or run the example from the coSTAR repository after `npm ci`.\n',
    );
    process.exit(1);
  }
}

const { trace, SpanStatusCode } = await load('@opentelemetry/api');
const { NodeTracerProvider } = await load('@opentelemetry/sdk-trace-node');
const { BatchSpanProcessor } = await load('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = await load('@opentelemetry/exporter-trace-otlp-proto');

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
