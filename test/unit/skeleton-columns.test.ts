/** The skeleton's binary columns: what the worker encodes is what the page reads, and what is checked on arrival. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeNames, encodeSkeleton, encodeTexts, Names, skeletonBuffers, skeletonProblem, type SkeletonColumns } from '../../src/shared/skeletonColumns';
import { HostMessage, SPAN_TYPES, STATUS } from '../../src/shared/traceViewerProtocol';
import { asSent, decodeSkeleton } from '../support/traceViewer';

const rows = {
  ids: ['00000000000000a1', '00000000000000a2', '00000000000000a3', '00000000000000a4'],
  parents: [-1, 0, 1, 0],
  names: ['agent run', 'ünïcode 🛠 tool', '', 'ünïcode 🛠 tool'],
  types: [1, 5, 3, 5],
  status: [1, 2, 0, 1],
  startMs: [0, 1.25, 3_600_000.3, 12.5],
  durMs: [3000, 0, 7.1, 0.25],
};
const problem = (change: (s: SkeletonColumns) => void) => {
  const s = encodeSkeleton(rows);
  change(s);
  return skeletonProblem(s, SPAN_TYPES.length, Object.keys(STATUS).length);
};

describe('trace viewer skeleton columns', () => {
  it('reads back what was encoded: names (multi-byte, empty, repeated), tree, kinds, times to single precision', () => {
    const s = encodeSkeleton(rows);
    assert.equal(s.size, 4);
    assert.deepEqual(decodeSkeleton(s), asSent(rows));
    assert.equal(new Names(s.names).at(3), 'ünïcode 🛠 tool');
    // Times are sent in single precision: within a microsecond here, and within 4 ms at 10 hours.
    assert.ok(Math.abs(s.startMs[1]! - 1.25) < 1e-3 && Math.abs(s.durMs[2]! - 7.1) < 1e-3);
    assert.ok(Math.abs(s.startMs[2]! - 3_600_000.3) <= 0.25);
    assert.equal(skeletonProblem(s, SPAN_TYPES.length, 3), undefined);
    assert.equal(decodeSkeleton(encodeSkeleton({ parents: [], names: [], types: [], status: [], startMs: [], durMs: [] })).names.length, 0);
  });

  it('keeps each distinct name once', () => {
    const names = encodeNames(['chat gpt-4o', 'read_file', 'chat gpt-4o', 'chat gpt-4o']);
    assert.deepEqual([...names.index], [0, 1, 0, 0]);
    assert.equal(new TextDecoder().decode(names.distinct.bytes), 'chat gpt-4oread_file');
  });

  it('gives each column a buffer of its own holding only its bytes (what is transferred is what is needed)', () => {
    const s = encodeSkeleton(rows);
    const buffers = skeletonBuffers(s);
    assert.equal(new Set(buffers).size, buffers.length);
    assert.equal(buffers.length, 8);
    assert.equal(s.names.distinct.bytes.buffer.byteLength, new TextEncoder().encode('agent runünïcode 🛠 tool').length);
    assert.equal(encodeTexts(['x'.repeat(1000)]).bytes.buffer.byteLength, 1000);
  });

  it('finds every broken rule the tree relies on', () => {
    assert.match(problem((s) => { s.parents[1] = 1; }) ?? '', /row 1: parent 1 is not an earlier row/);
    assert.match(problem((s) => { s.parents[2] = 2; s.parents[1] = 2; }) ?? '', /row 1: parent 2/);
    assert.match(problem((s) => { s.parents[0] = -2; }) ?? '', /row 0: parent -2/);
    assert.match(problem((s) => { s.types[2] = SPAN_TYPES.length; }) ?? '', /row 2: span type 16 is unknown/);
    assert.match(problem((s) => { s.status[0] = 3; }) ?? '', /row 0: status 3 is unknown/);
    assert.match(problem((s) => { s.names.index[3] = 3; }) ?? '', /row 3: name 3 is not one of the 3 names/);
    assert.match(problem((s) => { s.startMs = new Float32Array(2); }) ?? '', /startMs has 2 entries for 4 rows/);
    assert.match(problem((s) => { s.size = 5; }) ?? '', /parents has 4 entries for 5 rows/);
    assert.match(problem((s) => { s.names.index = new Uint32Array(3); }) ?? '', /names has 3 entries for 4 rows/);
    assert.match(problem((s) => { s.names.distinct.offsets[3] = 47; }) ?? '', /names: the offsets do not span the bytes/);
    assert.match(problem((s) => { s.names.distinct.offsets = new Uint32Array(0); }) ?? '', /names: the offsets do not span the bytes/);
    assert.match(problem((s) => { s.names.distinct.offsets[2] = 5; }) ?? '', /names: offset 2 goes backwards/);
    assert.match(problem((s) => { s.size = 1.5; }) ?? '', /size 1.5 is not a row count/);
  });

  it('is refused on arrival when broken or not binary, with the reason', () => {
    assert.ok(HostMessage.safeParse({ type: 'skeleton', skeleton: encodeSkeleton(rows) }).success);
    const broken = encodeSkeleton(rows);
    broken.parents[0] = 5;
    const refused = HostMessage.safeParse({ type: 'skeleton', skeleton: broken });
    assert.ok(!refused.success);
    assert.match(refused.error.message, /skeleton: row 0: parent 5 is not an earlier row/);
    // Plain arrays (the JSON shape of before) are not accepted in place of typed arrays.
    assert.ok(!HostMessage.safeParse({ type: 'skeleton', skeleton: { ...encodeSkeleton(rows), parents: rows.parents } }).success);
  });
});
