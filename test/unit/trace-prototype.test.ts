/**
 * Attribute names come from the agent (or whoever wrote an imported file): "__proto__",
 * "constructor" and dotted paths through them must stay plain attributes — never change an
 * object's prototype, never reach Object.prototype — through OTLP JSON, MLflow JSON, the
 * semantic-convention mapping, and a store round trip.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTraceText } from '../../src/core/trace/traceFile';
import { TraceStore } from '../../src/core/trace/store';
import { toMlflowJson } from '../../src/core/trace/mlflow';
import { tempWorkspace } from '../support/workspace';

const ws = tempWorkspace();
after(() => ws.dispose());

const evil = (key: string, value: unknown) => ({ key, value: typeof value === 'string' ? { stringValue: value } : { kvlistValue: { values: [{ key: 'polluted', value: { stringValue: 'yes' } }] } } });

const OTLP = {
  resourceSpans: [{
    resource: { attributes: [evil('__proto__', {})] },
    scopeSpans: [{
      spans: [{
        traceId: 'ab'.repeat(16),
        spanId: 'cd'.repeat(8),
        name: 'chat',
        startTimeUnixNano: '1700000000000000000',
        endTimeUnixNano: '1700000001000000000',
        attributes: [
          evil('__proto__', {}),
          evil('constructor', 'not a function'),
          evil('llm.input_messages.0.message.__proto__.polluted', 'yes'),
          evil('llm.input_messages.0.message.role', 'user'),
          evil('gen_ai.prompt.0.__proto__.polluted', 'yes'),
          evil('ai.prompt.__proto__', 'yes'),
          evil('llm.output_messages.99999999999999.message.role', 'huge index'),
        ],
      }],
    }],
  }],
};

test('"__proto__" attributes stay attributes; Object.prototype is untouched', async () => {
  const [trace] = parseTraceText(JSON.stringify(OTLP), 'otlp');
  assert.ok(trace);
  const span = trace.spans[0]!;
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
  assert.equal(Object.getPrototypeOf(span.attributes), Object.prototype);
  assert.ok(Object.hasOwn(span.attributes, '__proto__'), 'the attribute is kept under its name');
  assert.deepEqual(span.attributes['__proto__'], { polluted: 'yes' });
  assert.equal(span.attributes['constructor'], 'not a function');

  // A store round trip (MLflow JSON) keeps them as data, too.
  const store = new TraceStore(ws.dir);
  await store.put(trace);
  const back = (await store.get(trace.info.traceId))!;
  const again = back.spans[0]!;
  assert.ok(Object.hasOwn(again.attributes, '__proto__'));
  assert.equal(Object.getPrototypeOf(again.attributes), Object.prototype);
  assert.match(JSON.stringify(toMlflowJson(back)), /__proto__/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
});
