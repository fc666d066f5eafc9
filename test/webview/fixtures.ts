/**
 * Traces for the viewer's tests and benchmark: a small hand-made one that tells a story (an
 * agent whose report-writing tool failed, judged by two judges), a generated one of any size,
 * and one full of hostile strings.
 */
import type { Span, SpanType, Trace } from '../../src/core/trace/model';
import type { Verdict } from '../../src/core/judges/types';

const T0 = 1_700_000_000_000_000_000n;

export function spanId(n: number): string {
  return n.toString(16).padStart(16, '0');
}

const TRACE_ID = 'abcdef0123456789abcdef0123456789';

function span(n: number, parent: number | null, name: string, type: SpanType, startMs: number, durMs: number, extra: Partial<Span> = {}): Span {
  return {
    spanId: spanId(n),
    parentId: parent === null ? null : spanId(parent),
    name,
    spanType: type,
    startTimeUnixNano: (T0 + BigInt(Math.round(startMs * 1e6))).toString(),
    endTimeUnixNano: (T0 + BigInt(Math.round((startMs + durMs) * 1e6))).toString(),
    status: { code: 'OK' },
    attributes: {},
    events: [],
    ...extra,
  };
}

function info(spans: number, scenarioId = 'summarize-logs'): Trace['info'] {
  return {
    traceId: TRACE_ID,
    requestTime: 1_700_000_000_000,
    executionDurationMs: 0,
    state: 'ERROR',
    metadata: { 'costar.scenario_id': scenarioId, 'costar.run_id': 'run-2', spans: String(spans) },
    tags: {},
  };
}

const LONG_OUTPUT = Array.from({ length: 200 }, (_, i) => `line ${i + 1} of the very long tool output`).join('\n');

/** An agent run: plan, read logs, analyze, and a failing write of the report. */
export function storyTrace(): Trace {
  const spans: Span[] = [
    span(1, null, 'agent run', 'AGENT', 0, 5000, { inputs: { prompt: 'Summarize the logs into report.md' } }),
    span(2, 1, 'plan', 'CHAT_MODEL', 10, 800, {
      inputs: { messages: [{ role: 'system', content: 'You are a careful analyst.' }, { role: 'user', content: 'Summarize the logs into report.md' }] },
      outputs: { role: 'assistant', content: 'First read the logs, then write the report.' },
      tokens: { input: 120, output: 40, total: 160 },
      attributes: { 'gen_ai.request.model': 'gpt-test' },
    }),
    span(3, 1, 'read_logs', 'TOOL', 900, 300, { toolName: 'read_file', inputs: { path: 'logs/app.log' }, outputs: LONG_OUTPUT }),
    span(4, 1, 'analyze', 'CHAIN', 1300, 3000),
    span(5, 4, 'count errors', 'TOOL', 1400, 200, { toolName: 'grep', inputs: { pattern: 'ERROR' }, outputs: { count: 42 } }),
    span(6, 4, 'draft', 'LLM', 1700, 1500, { tokens: { input: 900, output: 300, total: 1200 }, outputs: 'The service failed 42 times.' }),
    span(7, 4, 'write_report', 'TOOL', 3300, 900, {
      toolName: 'write_file',
      inputs: { path: 'report.md', content: '# Report' },
      status: { code: 'ERROR', message: 'EACCES: permission denied' },
      events: [{
        name: 'exception',
        timeUnixNano: (T0 + 4_100_000_000n).toString(),
        attributes: { 'exception.type': 'PermissionError', 'exception.message': 'EACCES: permission denied, open report.md', 'exception.stacktrace': 'at writeFile (fs.js:1)\nat tool (agent.py:20)' },
      }],
    }),
    span(8, 1, 'final answer', 'LLM', 4300, 600, { tokens: { input: 200, output: 50, total: 250 }, status: { code: 'ERROR', message: 'gave up' } }),
  ];
  return {
    info: { ...info(spans.length), executionDurationMs: 5000 },
    spans,
    artifacts: [
      { path: 'notes.txt', size: 12, sha256: '0'.repeat(64), change: 'created', text: 'scratch notes' },
      { path: 'data.bin', size: 2048, sha256: '1'.repeat(64), change: 'created' },
    ],
  };
}

export function verdict(partial: Partial<Verdict> & Pick<Verdict, 'judge' | 'outcome'>): Verdict {
  return {
    name: partial.judge,
    expectationIndex: 0,
    value: partial.outcome === 'passed',
    rationale: '',
    source: 'CODE',
    spanIds: [],
    judgeVersion: '1',
    cost: { inputTokens: 0, outputTokens: 0, modelCalls: 0, ms: 3 },
    createdAt: 1_700_000_000_000,
    ...partial,
  };
}

export function storyVerdicts(): Verdict[] {
  return [
    verdict({ judge: 'report-exists', name: 'report.md is written', outcome: 'failed', value: false, rationale: 'report.md was never written: the write_report tool failed with EACCES.', spanIds: [spanId(7)] }),
    verdict({ judge: 'reads-logs-first', outcome: 'passed', rationale: 'read_logs ran before any write.', spanIds: [spanId(3)], source: 'LLM_JUDGE', cost: { inputTokens: 800, outputTokens: 60, modelCalls: 1, ms: 900 } }),
    verdict({ judge: 'tone', outcome: 'skipped', value: null, rationale: '', error: 'No model configured: set costar.model.baseUrl.' }),
  ];
}

const TYPES: SpanType[] = ['CHAT_MODEL', 'TOOL', 'RETRIEVER', 'TOOL', 'LLM'];
const FANOUT = 8;

/**
 * A trace of `n` spans: a balanced tree of fan-out 8 (depth ≈ log8 n), children inside their
 * parent's time, every 97th span erroring, payloads on every span so search has work to do.
 */
export function generatedTrace(n: number): Trace {
  const spans: Span[] = [];
  const startMs = new Float64Array(n);
  const durMs = new Float64Array(n);
  durMs[0] = 600_000;
  for (let i = 0; i < n; i++) {
    const parent = i === 0 ? null : Math.floor((i - 1) / FANOUT);
    if (parent !== null) {
      const k = (i - 1) % FANOUT;
      durMs[i] = durMs[parent]! / (FANOUT + 1);
      startMs[i] = startMs[parent]! + k * (durMs[parent]! / FANOUT);
    }
    const isLeaf = i * FANOUT + 1 >= n;
    const type: SpanType = i === 0 ? 'AGENT' : isLeaf ? TYPES[i % TYPES.length]! : 'CHAIN';
    const name = i === 0 ? 'agent run' : `${type.toLowerCase()} step ${i}`;
    spans.push(span(i + 1, parent === null ? null : parent + 1, name, type, startMs[i]!, durMs[i]!, {
      inputs: { messages: [{ role: 'user', content: `question number ${i}` }] },
      outputs: { text: `answer for span ${i}` },
      attributes: { index: i, 'gen_ai.system': 'test' },
      ...(i % 97 === 96 ? { status: { code: 'ERROR', message: `failure ${i}` } } : {}),
      ...(type === 'CHAT_MODEL' || type === 'LLM' ? { tokens: { input: 10, output: 5, total: 15 } } : {}),
    }));
  }
  return { info: { ...info(n, 'generated'), state: 'OK' }, spans, artifacts: [] };
}

/** Strings that would run script, load something or restyle the page if rendered as HTML. */
export const HOSTILE = {
  script: '<script>window.__pwned = "script"</script>',
  img: '<img src="http://127.0.0.2/x.png" onerror="window.__pwned = \'img\'">',
  link: '<a href="javascript:window.__pwned=\'link\'">click me</a>',
  css: '</style><style>body { background: url("http://127.0.0.2/css.png") } * { display: none !important }</style>',
  svg: '<svg onload="window.__pwned = \'svg\'"></svg>',
  attrBreak: '" onmouseover="window.__pwned=\'attr\'" x="',
};

export function hostileTrace(): Trace {
  const all = Object.values(HOSTILE).join(' ');
  const spans: Span[] = [
    span(1, null, HOSTILE.script, 'AGENT', 0, 1000, { inputs: { [HOSTILE.img]: HOSTILE.link }, outputs: HOSTILE.css }),
    span(2, 1, HOSTILE.img, 'CHAT_MODEL', 10, 100, {
      inputs: [{ role: HOSTILE.attrBreak, content: HOSTILE.svg }, { role: 'user', content: HOSTILE.script }],
      outputs: { role: 'assistant', content: HOSTILE.link },
      attributes: { [HOSTILE.script]: HOSTILE.img, [HOSTILE.css]: all, 'url': 'javascript:window.__pwned="url"' },
      events: [{ name: HOSTILE.svg, timeUnixNano: (T0 + 50_000_000n).toString(), attributes: { [HOSTILE.attrBreak]: HOSTILE.script } }],
    }),
    span(3, 1, HOSTILE.css, 'TOOL', 200, 100, { toolName: HOSTILE.link, status: { code: 'ERROR', message: HOSTILE.img } }),
    span(4, 1, HOSTILE.link, 'TOOL', 400, 100),
  ];
  return {
    info: { ...info(spans.length, HOSTILE.script), metadata: { 'costar.scenario_id': HOSTILE.img, 'costar.run_id': HOSTILE.attrBreak } },
    spans,
    artifacts: [{ path: HOSTILE.svg, size: 10, sha256: '0'.repeat(64), change: 'created', text: HOSTILE.script }],
  };
}

export function hostileVerdicts(): Verdict[] {
  return [verdict({ judge: HOSTILE.link, name: HOSTILE.script, outcome: 'failed', value: HOSTILE.img, rationale: HOSTILE.css, spanIds: [spanId(2)], error: HOSTILE.svg })];
}
