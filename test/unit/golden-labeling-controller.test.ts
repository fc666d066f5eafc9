import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelingController } from '../../src/extension/labeling/controller';
import { readLabels } from '../../src/core/golden/store';
import type { HostMessage } from '../../src/shared/labelingProtocol';
import { goldenFixture, humanLabel } from '../fixtures/golden/goldenWorkspace';
import { appendLabels } from '../../src/core/golden/store';
import { workspaceModelClient } from '../../src/extension/llm/editorModels';
import { fakeHost } from './extension-fakeHost';
import { fakeLm } from './extension-fakeLm';

function recorder() {
  const posted: HostMessage[] = [];
  const logs: string[] = [];
  return { posted, logs, io: { post: (m: HostMessage) => posted.push(m), openTrace: () => {}, log: (m: string) => logs.push(m) } };
}

test('the queue leaves out traces this labeller already labelled, and other labellers still see them', async () => {
  const fixture = await goldenFixture({ good: 2, terse: 1, vague: 0 }, { label: false });
  try {
    const [first] = fixture.traces;
    await appendLabels(fixture.ws.dir, [humanLabel(first!.trace, first!.kind, 'ana', 1)]);
    const ana = await new LabelingController({ workspaceDir: fixture.ws.dir, labeller: 'ana' }).state();
    const bo = await new LabelingController({ workspaceDir: fixture.ws.dir, labeller: 'bo' }).state();
    assert.equal(ana.items.length, 2);
    assert.ok(!ana.items.some((i) => i.traceId === first!.trace.info.traceId));
    assert.equal(bo.items.length, 3);
    assert.deepEqual(ana.judge?.choices, ['yes', 'no']);
    assert.equal(ana.blind, true, 'blind by default');
    assert.equal(ana.items[0]!.prompt.startsWith('Clean sales file number'), true);
  } finally {
    fixture.ws.dispose();
  }
});

test('a value outside the judge\'s value type, or a trace outside the queue, is refused with the reason and nothing is written', async () => {
  const fixture = await goldenFixture({ good: 1, terse: 0, vague: 0 }, { label: false });
  try {
    const controller = new LabelingController({ workspaceDir: fixture.ws.dir, labeller: 'ana' });
    await controller.state();
    const r = recorder();
    const traceId = fixture.traces[0]!.trace.info.traceId;
    await controller.handle({ type: 'label', traceId, value: 'maybe', rationale: '' }, r.io);
    await controller.handle({ type: 'label', traceId: 'f'.repeat(32), value: 'yes', rationale: '' }, r.io);
    await controller.handle({ type: 'label', traceId, value: { html: '<b>' }, rationale: '' }, r.io);
    assert.deepEqual(r.posted, [
      { type: 'error', traceId, message: 'not a value of judge quality: expected "yes" or "no", got "maybe"' },
      { type: 'error', traceId: 'f'.repeat(32), message: `trace ${'f'.repeat(32)} is not in this queue; reopen the panel` },
    ]);
    assert.match(r.logs.at(-1)!, /ignored an invalid message/);
    assert.deepEqual((await readLabels(fixture.ws.dir, 'quality')).labels, []);
  } finally {
    fixture.ws.dispose();
  }
});

test('the queue holds only traces the judge assesses, counts earlier labels as progress, and says honestly why it is empty', async () => {
  const empty = await goldenFixture({ good: 0, terse: 0, vague: 0 }, { label: false });
  try {
    const state = await new LabelingController({ workspaceDir: empty.ws.dir, labeller: 'ana' }).state();
    assert.equal(state.notice, 'No stored traces yet — run scenarios first (Test Explorer or `costar run`), or import traces (`costar import`).');
  } finally {
    empty.ws.dispose();
  }

  const fixture = await goldenFixture({ good: 3, terse: 0, vague: 0 }, { label: false });
  try {
    // clean-1 is a scenario of this workspace whose expectations don't name quality; clean-2 names it;
    // clean-3's scenario is gone, so nothing says quality does not assess it.
    fixture.ws.write('clean.scenario.yaml', [
      'scenarios:',
      '  - id: clean-1', '    prompt: p', '    expectations:', '      - judge: file-exists', '        with: { paths: out.csv }',
      '  - id: clean-2', '    prompt: p', '    expectations:', '      - judge: quality',
      '',
    ].join('\n'));
    const [, second] = fixture.traces;
    await appendLabels(fixture.ws.dir, [humanLabel(second!.trace, second!.kind, 'ana', 1)]);
    const state = await new LabelingController({ workspaceDir: fixture.ws.dir, labeller: 'ana' }).state('quality');
    assert.deepEqual(state.items.map((i) => i.scenarioId), ['clean-3']);
    assert.equal(state.labelledBefore, 1, 'the label on clean-2 is progress, not forgotten');

    await appendLabels(fixture.ws.dir, [humanLabel(fixture.traces[2]!.trace, 'good', 'ana', 2)]);
    const done = await new LabelingController({ workspaceDir: fixture.ws.dir, labeller: 'ana' }).state('quality');
    assert.equal(done.notice, 'Nothing left to label for quality: you have labelled all 2 stored traces it assesses. Run scenarios or import traces to get more.');
  } finally {
    fixture.ws.dispose();
  }
});

test('sampling the judge for the queue order uses the client it is given: the editor\'s provider seam, here the editor model', async () => {
  const fixture = await goldenFixture({ good: 1, terse: 1, vague: 1 }, { label: false });
  try {
    const lm = fakeLm([{ vendor: 'costar-test', id: 'scripted', family: 'f' }], (request) => {
      const answer = /Agent's answer: (.*)/.exec(request.messages.map((m) => m.text).join('\n'))?.[1] ?? '';
      return JSON.stringify({ value: /fill/i.test(answer) ? 'yes' : 'no', rationale: 'editor model' });
    });
    const { vscode } = fakeHost(fixture.ws.dir, { settings: { 'costar.model.provider': 'vscode' }, lm: lm.api });
    const model = workspaceModelClient(vscode, fixture.ws.dir, {}, undefined);
    const state = await new LabelingController({ workspaceDir: fixture.ws.dir, labeller: 'ana', samples: 2, model }).state('quality');
    assert.equal(state.items.length, 3);
    assert.ok(lm.requests.length >= 3, `${lm.requests.length} samples asked of the editor model`);
    assert.ok(lm.requests.every((r) => r.model === 'costar-test/scripted'));
  } finally {
    fixture.ws.dispose();
  }
});
