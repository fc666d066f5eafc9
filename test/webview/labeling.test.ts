/**
 * The labeling panel in real Chromium, driven by the keyboard only, against a real
 * LabelingController over a real workspace: what the human answers is what lands in
 * golden/<judge>.jsonl. Needs `npm run build` first (it loads dist/webview/labeling.js).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readLabels } from '../../src/core/golden/store';
import { TraceStore } from '../../src/core/trace/store';
import { META } from '../../src/core/trace/model';
import { TraceBuilder, artifact } from '../support/traceBuilder';
import { eventually } from './eventually';
import { startLabelingHarness, type LabelingHarness, type OpenedPanel } from './labelingPage';
import { goldenFixture, saveQualityReport, type GoldenFixture } from '../fixtures/golden/goldenWorkspace';

const saved = (panel: OpenedPanel) => async () => panel.answered.filter((m) => m.type === 'saved').length;
const labelsIn = (fixture: GoldenFixture) => async (): Promise<unknown[][]> => (await readLabels(fixture.ws.dir, 'quality')).labels.map((l) => [l.traceRef.traceId, l.value, l.rationale]);

describe('labeling panel', () => {
  let harness: LabelingHarness;
  let fixture: GoldenFixture;
  before(async () => {
    harness = await startLabelingHarness();
  });
  after(async () => {
    await harness.close();
  });

  async function openPanel(): Promise<OpenedPanel> {
    fixture = await goldenFixture({ good: 2, terse: 2, vague: 2 }, { label: false });
    await saveQualityReport(fixture, (kind) => (kind === 'terse' ? 'no' : 'yes'));
    return harness.open({ workspaceDir: fixture.ws.dir, labeller: 'tester', now: () => new Date() });
  }

  it('labels 5 traces by keyboard only: the golden set holds exactly those labels', async () => {
    const panel = await openPanel();
    try {
      const { page } = panel;
      const queue: string[] = (await panel.controller.state()).items.map((i) => i.traceId);
      assert.equal(queue.length, 6);
      await page.keyboard.press('1'); // yes
      await page.keyboard.press('j');
      await page.keyboard.press('2'); // no
      await page.keyboard.press('j');
      await page.keyboard.press('e');
      await page.keyboard.type('says it filled, but not with what');
      await page.keyboard.press('Escape');
      await page.keyboard.press('2'); // no, with a rationale
      await page.keyboard.press('j');
      await page.keyboard.press('s'); // skip the fourth
      await page.keyboard.press('1');
      await page.keyboard.press('j');
      await page.keyboard.press('k'); // back…
      await page.keyboard.press('j'); // …and forward again
      await page.keyboard.press('2');
      await eventually(saved(panel), 5, 'five labels saved');
      await eventually(labelsIn(fixture), [
        [queue[0], 'yes', ''],
        [queue[1], 'no', ''],
        [queue[2], 'no', 'says it filled, but not with what'],
        [queue[4], 'yes', ''],
        [queue[5], 'no', ''],
      ]);
      assert.deepEqual(panel.posted.filter((m) => m.type === 'label').map((m) => [m.traceId, m.value]), [[queue[0], 'yes'], [queue[1], 'no'], [queue[2], 'no'], [queue[4], 'yes'], [queue[5], 'no']]);
      const labels = (await readLabels(fixture.ws.dir, 'quality')).labels;
      assert.ok(labels.every((l) => l.labeller === 'tester' && l.judgeVersion === '1' && /^[0-9a-f]{64}$/.test(l.traceRef.contentHash)));
      await eventually(() => page.locator('.progress').textContent(), '5 of 6 labelled');
      assert.deepEqual(panel.errors, []);
      assert.ok(panel.requests.every((url) => url.startsWith('http://127.0.0.1:')), 'nothing leaves the machine');
    } finally {
      fixture.ws.dispose();
    }
  });

  it('shows the judge\'s question on top and the answer keys in view, marks the chosen answer, keeps progress across reopening, offers new traces', async () => {
    const panel = await openPanel();
    try {
      const { page } = panel;
      const question = page.locator('.question');
      assert.ok(((await question.textContent()) ?? '').length > 0, 'the question is on the page, not only in a tooltip');
      const questionBox = (await question.boundingBox())!;
      assert.ok(questionBox.y < (await page.locator('.item-head').boundingBox())!.y, 'above the trace');
      const yes = page.locator('button.value[data-value=\'"yes"\']');
      const keys = (await yes.boundingBox())!;
      assert.ok(keys.y + keys.height <= 900, `the answer keys are in view (y=${keys.y})`);
      await page.keyboard.press('1');
      await eventually(saved(panel), 1);
      assert.equal(await yes.getAttribute('aria-pressed'), 'true');
      assert.match((await yes.textContent()) ?? '', /^✓ 1/);
      assert.equal(await page.locator('button.value.chosen').count(), 1);

      const reopened = await harness.open({ workspaceDir: fixture.ws.dir, labeller: 'tester', now: () => new Date() });
      await eventually(() => reopened.page.locator('.progress').textContent(), '1 of 6 labelled', 'the earlier label still counts');
      await reopened.send({ type: 'newTraces' });
      await reopened.page.locator('.new-traces button').waitFor();
      await reopened.page.keyboard.press('r');
      await eventually(async () => reopened.posted.filter((m) => m.type === 'chooseJudge').length, 1, 'r rebuilds the queue');
      await reopened.page.locator('.new-traces').waitFor({ state: 'detached' });
      await reopened.page.close();
    } finally {
      fixture.ws.dispose();
    }
  });

  it('blind mode keeps the judge\'s verdict out of the page until the human answered, then shows both side by side', async () => {
    const panel = await openPanel();
    try {
      const { page } = panel;
      assert.equal(await page.locator('.verdict-compare').count(), 0);
      assert.doesNotMatch(await page.locator('body').innerText(), /judge rationale for/);
      await page.keyboard.press('2');
      const compare = page.locator('.verdict-compare');
      await compare.waitFor();
      assert.match(await compare.locator('.human').innerText(), /You\s+no/);
      assert.match(await compare.locator('.judge').innerText(), /Judge quality\s+(yes|no)\s+judge rationale for (good|terse|vague)/);
      await page.keyboard.press('j');
      assert.equal(await page.locator('.verdict-compare').count(), 0, 'the next trace is blind again');
      await page.locator('.blind input').click();
      await page.locator('.verdict-compare .judge-rationale').waitFor();
      assert.match(await page.locator('.verdict-compare .human').innerText(), /not answered yet/);
    } finally {
      fixture.ws.dispose();
    }
  });

  it('a second answer replaces the first; u undoes the last answer in the golden set', async () => {
    const panel = await openPanel();
    try {
      const { page } = panel;
      const first = (await panel.controller.state()).items[0]!.traceId;
      await page.keyboard.press('1');
      await eventually(saved(panel), 1);
      await page.keyboard.press('2');
      await eventually(saved(panel), 2);
      await eventually(labelsIn(fixture), [[first, 'no', '']], 'one label, the newer answer');
      await page.keyboard.press('u');
      await eventually(async () => panel.answered.filter((m) => m.type === 'undone').length, 1);
      await eventually(labelsIn(fixture), []);
      await eventually(() => page.locator('.progress').textContent(), '0 of 6 labelled');
    } finally {
      fixture.ws.dispose();
    }
  });

  it('the agreement view shows κ, the confusion matrix and the disagreements with both rationales', async () => {
    const panel = await openPanel();
    try {
      const { page } = panel;
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press('2'); // the human says no to everything
        await page.keyboard.press('j');
      }
      await eventually(saved(panel), 6);
      await page.keyboard.press('a');
      await page.locator('.agreement .stats').waitFor();
      // Judge: yes on good and vague (4), no on terse (2). Human: all no → accuracy 2/6, κ 0.
      assert.equal(await page.locator('.agreement .stats').innerText(), "n 6 · accuracy 33.3 % · Cohen's κ 0.00 (95 % CI -0.57 … 0.57)");
      assert.deepEqual(await page.locator('.confusion td').allInnerTexts(), ['0', '0', '4', '2']);
      assert.equal(await page.locator('.disagreements li').count(), 4);
      assert.match(await page.locator('.disagreements li').first().innerText(), /human no, judge yes\s+human: \(no rationale\)\s+judge: judge rationale for/);
      // A disagreement still in this queue opens there, with both answers side by side.
      await page.locator('.disagreements li .link').first().click();
      await page.locator('.verdict-compare.disagree').waitFor();
      assert.match(await page.locator('.verdict-compare').innerText(), /You\s+no[\s\S]*Judge quality\s+yes\s+judge rationale for/);
      await page.locator('.item-head .link').click();
      await eventually(async () => panel.opened, [await page.locator('.item').getAttribute('data-trace-id')], 'and from there in the trace viewer');
    } finally {
      fixture.ws.dispose();
    }
  });

  it('trace content is text, never markup: hostile output, artifacts and span names stay inert', async () => {
    fixture = await goldenFixture({ good: 0, terse: 0, vague: 0 }, { label: false });
    try {
      const hostile = '<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script>';
      const b = new TraceBuilder();
      b.span({ name: hostile, spanType: 'AGENT', inputs: { prompt: hostile }, outputs: { output: hostile } });
      const trace = b.build({ artifacts: [artifact('x.html', hostile)], metadata: { [META.scenarioId]: 'hostile' } });
      await new TraceStore(fixture.ws.dir).put(trace);
      const panel = await harness.open({ workspaceDir: fixture.ws.dir, labeller: 'tester' });
      const { page } = panel;
      assert.equal(await page.locator('.output').textContent(), hostile);
      assert.equal(await page.locator('.prompt').textContent(), hostile);
      assert.equal(await page.locator('img').count(), 0);
      assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
      assert.deepEqual(panel.errors, []);
      assert.ok(panel.requests.every((url) => url.startsWith('http://127.0.0.1:')));
    } finally {
      fixture.ws.dispose();
    }
  });
  it('a damaged trace file is named in a warning on the panel, and the good traces are still queued', async () => {
    fixture = await goldenFixture({ good: 2, terse: 1, vague: 0 }, { label: false });
    const damaged = path.join(fixture.ws.dir, '.costar', 'traces', `${'f'.repeat(32)}.trace.json`);
    writeFileSync(damaged, '{"info": {"trace_id": "<b>half</b>", "request_time": "2025-01-0');
    const panel = await harness.open({ workspaceDir: fixture.ws.dir, labeller: 'tester', now: () => new Date() });
    try {
      const warning = panel.page.locator('.notice.warning');
      await eventually(() => warning.count(), 1, 'one warning');
      const text = (await warning.textContent()) ?? '';
      assert.ok(text.startsWith(`skipped ${damaged}: `), text);
      assert.equal(await warning.locator('*').count(), 0, 'the warning is text, no markup');
      await eventually(() => panel.page.locator('.progress').textContent(), '0 of 3 labelled');
      assert.deepEqual(panel.errors, []);
    } finally {
      fixture.ws.dispose();
    }
  });
});
