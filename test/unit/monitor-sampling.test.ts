import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isSampled, samplePoint, matchesFilter } from '../../src/core/monitor/sampling';
import { parseMonitorConfig, MonitorConfigError } from '../../src/core/monitor/config';
import type { Trace } from '../../src/core/trace/model';

const ids = Array.from({ length: 5000 }, () => randomBytes(16).toString('hex'));

test('sampling is decided by the trace id alone: the same on every run', () => {
  const first = ids.filter((id) => isSampled(id, 0.2));
  const second = ids.filter((id) => isSampled(id, 0.2));
  assert.deepEqual(second, first);
  assert.equal(samplePoint(ids[0]!.toUpperCase()), samplePoint(ids[0]!), 'hex case does not matter');
});

test('a higher rate samples a superset of a lower one, close to the rate', () => {
  const low = new Set(ids.filter((id) => isSampled(id, 0.1)));
  const high = new Set(ids.filter((id) => isSampled(id, 0.5)));
  assert.ok([...low].every((id) => high.has(id)));
  assert.ok(Math.abs(low.size / ids.length - 0.1) < 0.02, `rate 0.1 sampled ${low.size}`);
  assert.ok(Math.abs(high.size / ids.length - 0.5) < 0.03, `rate 0.5 sampled ${high.size}`);
  assert.equal(ids.filter((id) => isSampled(id, 0)).length, 0);
  assert.equal(ids.filter((id) => isSampled(id, 1)).length, ids.length);
});

test('filters select on metadata, tags and the root span name', () => {
  const trace: Trace = {
    info: { traceId: ids[0]!, requestTime: 0, executionDurationMs: 0, state: 'OK', metadata: { env: 'prod' }, tags: { tenant: 'a' } },
    spans: [{ spanId: '1'.repeat(16), parentId: null, name: 'chat', spanType: 'AGENT', startTimeUnixNano: '0', endTimeUnixNano: '1', status: { code: 'OK' }, attributes: {}, events: [] }],
    artifacts: [],
  };
  assert.equal(matchesFilter(trace, { metadata: { env: 'prod' }, tags: { tenant: 'a' }, rootSpan: 'chat' }), true);
  assert.equal(matchesFilter(trace, { metadata: { env: 'staging' } }), false);
  assert.equal(matchesFilter(trace, { rootSpan: 'search' }), false);
});

test('config errors name file:line:col and what to write', () => {
  assert.throws(
    () => parseMonitorConfig('window: soon\njudges:\n  - judge: contains\n    rate: 2\n', '/ws/costar.monitor.yaml'),
    (e: Error) =>
      e instanceof MonitorConfigError &&
      /\/ws\/costar.monitor.yaml:1:9: .*expected a duration/.test(e.message) &&
      /\/ws\/costar.monitor.yaml:4:11: .*(<=|1)/.test(e.message),
  );
  assert.throws(() => parseMonitorConfig('judges:\n  - judge: contains\n  - judge: contains\n', '/ws/m.yaml'), /already the name of judges\[0\]/);
  assert.equal(parseMonitorConfig('', '/ws/m.yaml').window, 86_400_000, 'an empty file means the defaults');
});
