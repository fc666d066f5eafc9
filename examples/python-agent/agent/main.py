"""A deterministic word-counting agent (no model): it reads the prompt, calls its tools and
answers. Traced by the OpenTelemetry Python SDK with GenAI semantic conventions; the harness
sets OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and its token header, so nothing here names them.
Outside the harness (no endpoint) it runs untraced."""
import json
import os
import re
import sys
from collections import Counter

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Status, StatusCode

provider = TracerProvider()
if os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
tracer = provider.get_tracer("word-counter", "1.0.0")


def tool(name, arguments, run):
    """One tool call as an execute_tool span; a failure is recorded on it and re-raised."""
    with tracer.start_as_current_span(f"execute_tool {name}", record_exception=False, set_status_on_exception=False) as span:
        span.set_attribute("gen_ai.operation.name", "execute_tool")
        span.set_attribute("gen_ai.tool.name", name)
        span.set_attribute("gen_ai.tool.call.arguments", json.dumps(arguments))
        try:
            result = run(**arguments)
        except Exception as error:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, str(error)))
            raise
        span.set_attribute("gen_ai.tool.call.result", json.dumps(result))
        return result


def read_file(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def count_words(text):
    return dict(Counter(re.findall(r"[a-z']+", text.lower())).most_common())


def write_file(path, content):
    with open(path, "w", encoding="utf-8") as f:
        f.write(content)
    return {"path": path, "bytes": len(content.encode("utf-8"))}


def run(prompt):
    match = re.search(r"[\w./-]+\.txt", prompt)
    if not match:
        return "Tell me which .txt file to count."
    path = match.group(0)
    try:
        text = tool("read_file", {"path": path}, read_file)
    except OSError as error:
        return f"I could not read {path}: {error.strerror}."
    counts = tool("count_words", {"text": text}, count_words)
    tool("write_file", {"path": "counts.json", "content": json.dumps(counts, indent=2)}, write_file)
    top = ", ".join(f"{word} ({n})" for word, n in list(counts.items())[:3])
    return f"{sum(counts.values())} words in {path}; most frequent: {top}. Wrote counts.json."


prompt = os.environ.get("COSTAR_PROMPT") or sys.stdin.read()
with tracer.start_as_current_span("invoke_agent word-counter") as agent:
    agent.set_attribute("gen_ai.operation.name", "invoke_agent")
    agent.set_attribute("gen_ai.agent.name", "word-counter")
    agent.set_attribute("gen_ai.input.messages", json.dumps([{"role": "user", "content": prompt}]))
    answer = run(prompt)
    agent.set_attribute("gen_ai.output.messages", json.dumps([{"role": "assistant", "content": answer}]))
print(answer)
provider.shutdown()
