/**
 * The trace viewer webview in real Chromium: tree, keyboard, verdicts, detail, search, state.
 * Needs `npm run build` first (it loads dist/webview/trace-viewer.js).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { eventually } from './eventually';
import { startViewerHarness, type ViewerHarness } from './viewerPage';
import { spanId, storyTrace, storyVerdicts } from './fixtures';
import type { TestViewerInput as ViewerInput } from '../support/traceViewer';

const TRACE_ID = 'abcdef0123456789abcdef0123456789';
const story = (): ViewerInput => ({ source: { kind: 'store', traceId: TRACE_ID }, trace: storyTrace(), verdicts: storyVerdicts() });

const visibleNames = (page: Page) => page.locator('.row:not([hidden])').evaluateAll((rows) =>
  rows.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top).map((r) => r.querySelector('.name')!.textContent));
const selectedName = async (page: Page) => (await page.locator('.row.selected .name').allTextContents())[0] ?? null;

describe('trace viewer webview', () => {
  let harness: ViewerHarness;
  before(async () => { harness = await startViewerHarness(); });
  after(async () => { await harness.close(); });

  it('renders the span tree with ARIA roles, type icons, error marks and the root cause selected', async () => {
    const { page, errors } = await harness.open(story());
    await eventually(() => visibleNames(page), ['agent run', 'plan', 'read_logs', 'analyze', 'count errors', 'draft', 'write_report', 'final answer']);
    const tree = page.getByRole('tree', { name: 'Spans' });
    assert.equal(await tree.getByRole('treeitem').count(), 8);
    const writeReport = page.locator('#span-row-6');
    assert.equal(await writeReport.getAttribute('aria-level'), '3');
    assert.equal(await writeReport.getAttribute('aria-selected'), 'true', 'the root cause is selected on open');
    assert.match(await writeReport.getAttribute('class') ?? '', /\berror\b/);
    assert.equal(await page.locator('#span-row-0').getAttribute('aria-expanded'), 'true');
    assert.equal(await page.locator('#span-row-1 .type-icon.codicon-comment-discussion').count(), 1, 'chat model icon');
    assert.equal(await page.locator('#span-row-2 .type-icon.codicon-tools').count(), 1, 'tool icon');
    assert.equal(await page.locator('#span-row-2 .kind').textContent(), 'TOOL', 'the kind in words beside the icon');
    assert.equal(await page.locator('#span-row-1 .kind').textContent(), 'CHAT MODEL');
    assert.match(await page.locator('.root-cause').textContent() ?? '', /Root cause: write_report/);
    await page.locator('.detail-title', { hasText: 'write_report' }).waitFor();
    assert.match(await page.locator('.detail').textContent() ?? '', /PermissionError: EACCES/);
    assert.deepEqual(errors, []);
  });

  it('opens on the first cited span of the first failing verdict, even when another span errored first', async () => {
    const verdicts = storyVerdicts();
    verdicts[0] = { ...verdicts[0]!, spanIds: [spanId(3), spanId(7)] };
    const { page } = await harness.open({ ...story(), verdicts });
    await eventually(() => selectedName(page), 'read_logs');
    await page.locator('.detail-title', { hasText: 'read_logs' }).waitFor();
  });

  it('never shows OK for a trace with a failing verdict or an erroring span; OK for a clean one', async () => {
    const badge = async (input: ViewerInput) => {
      const { page } = await harness.open(input);
      await page.locator('.trace-state').waitFor();
      return page.locator('.trace-state').textContent();
    };
    assert.equal(await badge(story()), 'ERROR', 'the run ended in error: errors win over failures');
    const finished = storyTrace();
    finished.info.state = 'OK';
    assert.equal(await badge({ ...story(), trace: finished }), 'FAILED');
    const passing = storyVerdicts().map((v) => (v.outcome === 'failed' ? { ...v, outcome: 'passed' as const } : v));
    assert.equal(await badge({ ...story(), trace: finished, verdicts: passing }), '2 ERRORS', 'two spans errored');
    const clean = storyTrace();
    clean.info.state = 'OK';
    for (const span of clean.spans) span.status = { code: 'OK' };
    assert.equal(await badge({ ...story(), trace: clean, verdicts: passing }), 'OK');
  });

  it('labels the timeline axis with round values that never overlap, at any width', async () => {
    for (const width of [420, 800, 1600]) {
      const { page } = await harness.open(story(), { viewport: { width, height: 700 } });
      await page.locator('.tick').first().waitFor();
      const axis = (await page.locator('.ticks').boundingBox())!;
      const boxes = await page.locator('.tick').evaluateAll((ticks) => (ticks as HTMLElement[]).filter((t) => !t.hidden).map((t) => {
        const r = t.getBoundingClientRect();
        return { left: r.left, right: r.right, text: t.textContent };
      }));
      assert.ok(boxes.length >= 2, `at least two labels at ${width}px: ${JSON.stringify(boxes)}`);
      for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i]!.left >= boxes[i - 1]!.right, `labels overlap at ${width}px: ${JSON.stringify(boxes)}`);
      assert.ok(boxes.at(-1)!.right <= axis.x + axis.width + 1, `the last label fits in the axis at ${width}px`);
      assert.equal(boxes[0]!.text, '0');
    }
  });

  it('resizes the split between tree and side panel by drag and keyboard, and keeps it in the state', async () => {
    const first = await harness.open(story(), { viewport: { width: 1200, height: 700 } });
    const { page } = first;
    const sash = page.getByRole('separator', { name: 'Resize the side panel' });
    const before = (await page.locator('.side').boundingBox())!.width;
    const box = (await sash.boundingBox())!;
    await page.mouse.move(box.x + 2, box.y + 50);
    await page.mouse.down();
    await page.mouse.move(box.x - 200, box.y + 50, { steps: 5 });
    await page.mouse.up();
    const dragged = (await page.locator('.side').boundingBox())!.width;
    assert.ok(Math.abs(dragged - (before + 200)) < 8, `dragging 200px left widens the side panel: ${before} → ${dragged}`);
    await sash.focus();
    await page.keyboard.press('ArrowRight');
    const narrower = (await page.locator('.side').boundingBox())!.width;
    assert.ok(narrower < dragged, 'ArrowRight moves the sash right');
    await eventually(async () => (await first.state())?.sideWidthPx, Math.round(narrower));
    const reloaded = await harness.open(story(), { viewport: { width: 1200, height: 700 }, savedState: (await first.state())! });
    await eventually(async () => Math.round((await reloaded.page.locator('.side').boundingBox())!.width), Math.round(narrower));
  });

  it('expands, collapses and moves with the keyboard, including type-to-find', async () => {
    const { page } = await harness.open(story());
    await page.locator('#span-row-0 .name').click();
    await eventually(() => selectedName(page), 'agent run');
    await page.keyboard.press('ArrowLeft'); // collapse the root
    await eventually(() => visibleNames(page), ['agent run']);
    await page.keyboard.press('ArrowRight'); // expand it again
    await page.keyboard.press('ArrowRight'); // move to the first child
    await eventually(() => selectedName(page), 'plan');
    await page.keyboard.press('End');
    await eventually(() => selectedName(page), 'final answer');
    await page.keyboard.press('Home');
    await eventually(() => selectedName(page), 'agent run');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await eventually(() => selectedName(page), 'read_logs');
    await page.keyboard.type('dr');
    await eventually(() => selectedName(page), 'draft');
    await page.keyboard.press('ArrowLeft'); // on a leaf: go to the parent
    await eventually(() => selectedName(page), 'analyze');
    await page.keyboard.press('Enter'); // toggle: collapse analyze
    await eventually(() => visibleNames(page), ['agent run', 'plan', 'read_logs', 'analyze', 'final answer']);
    await page.locator('#span-row-3 .twisty').click(); // and the twisty opens it again
    await eventually(async () => (await visibleNames(page)).length, 8);
  });

  it('reveals and selects the span a verdict cites when the verdict is clicked', async () => {
    const { page } = await harness.open(story());
    await page.getByRole('button', { name: 'Collapse all' }).click();
    await eventually(() => visibleNames(page), ['agent run']);
    await page.locator('.verdict-head', { hasText: 'report.md is written' }).click();
    await eventually(() => selectedName(page), 'write_report');
    assert.equal(await page.locator('#span-row-6').getAttribute('aria-selected'), 'true');
    assert.equal(await page.locator('#span-row-6.cited-failed .mark-failed').count(), 1, 'cited by a failing judge');
    await page.locator('.detail-title', { hasText: 'write_report' }).waitFor();
    await page.locator('.verdict-head', { hasText: 'reads-logs-first' }).click();
    await eventually(() => selectedName(page), 'read_logs');
  });

  it('filters the tree to the spans cited by failing judges', async () => {
    const { page } = await harness.open(story());
    await page.getByLabel('Only spans cited by failing judges').check();
    await eventually(() => visibleNames(page), ['agent run', 'analyze', 'write_report']);
    await page.getByLabel('Only spans cited by failing judges').uncheck();
    await eventually(async () => (await visibleNames(page)).length, 8);
  });

  it('shows verdict values, outcomes, rationales and costs, and skipped judges with their reason', async () => {
    const { page } = await harness.open(story());
    const failed = page.locator('.verdict-failed');
    assert.match(await failed.textContent() ?? '', /report\.md is written.*failed.*value false.*never written/s);
    assert.match(await page.locator('.verdict-passed .verdict-meta').textContent() ?? '', /860 tokens · 1 model call · 900 ms · cites 1 span/);
    assert.match(await page.locator('.verdict-skipped').textContent() ?? '', /No model configured/);
  });

  it('renders chat messages as a conversation and cuts long text behind "Show all"', async () => {
    const { page, posted } = await harness.open(story());
    await page.locator('#span-row-1 .name').click();
    const conversation = page.locator('.section-inputs .conversation');
    await conversation.waitFor();
    assert.deepEqual(await conversation.locator('.message-role').allTextContents(), ['system', 'user']);
    assert.ok(posted.some((m) => (m as { type: string; row?: number }).type === 'getSpan' && (m as { row: number }).row === 1), 'payload fetched on demand');
    await page.locator('#span-row-2 .name').click();
    await page.getByRole('tab', { name: 'Outputs' }).click();
    const output = page.locator('.section-outputs pre.text');
    await output.waitFor();
    assert.doesNotMatch(await output.textContent() ?? '', /line 200 of/);
    await page.locator('.section-outputs .show-all').click();
    assert.match(await output.textContent() ?? '', /line 200 of the very long tool output/);
  });

  it('searches in the host and steps through the results', async () => {
    const { page, posted } = await harness.open(story());
    await page.getByRole('button', { name: 'Collapse all' }).click();
    const box = page.getByLabel('Search spans');
    await box.fill('EACCES|grep');
    await page.getByRole('button', { name: 'Use regular expression' }).click();
    await page.locator('.search-status', { hasText: '1 of 2' }).waitFor();
    await eventually(() => selectedName(page), 'count errors', 'the first hit is revealed (its toolName is grep)');
    await box.press('Enter');
    await page.locator('.search-status', { hasText: '2 of 2' }).waitFor();
    await eventually(() => selectedName(page), 'write_report');
    await box.press('Shift+Enter');
    await eventually(() => selectedName(page), 'count errors');
    assert.ok(posted.some((m) => (m as { type: string }).type === 'search'));
    await box.fill('(unclosed');
    await page.locator('.search-status', { hasText: 'Invalid regular expression' }).waitFor();
  });

  it('marks plain-text search hits in the span detail, as text', async () => {
    const { page } = await harness.open(story());
    await page.getByLabel('Search spans').fill('eacces');
    await eventually(() => selectedName(page), 'write_report');
    await page.locator('.detail-title', { hasText: 'write_report' }).waitFor();
    await eventually(async () => (await page.locator('.detail mark.search-hit').allTextContents()).every((t) => t === 'EACCES') && (await page.locator('.detail mark.search-hit').count()) > 0, true);
    await page.getByLabel('Search spans').fill('');
    await eventually(() => page.locator('.detail mark.search-hit').count(), 0, 'clearing the search clears the marks');
  });

  it('shows Inputs / Outputs / Attributes / Events as tabs, keyboard first, with the exception above them', async () => {
    const { page } = await harness.open(story());
    await page.locator('.detail-title', { hasText: 'write_report' }).waitFor();
    const tabs = page.getByRole('tablist', { name: 'Span detail sections' }).getByRole('tab');
    assert.deepEqual(await tabs.allTextContents(), ['Inputs', 'Outputs', 'Attributes', 'Events (1)']);
    const selectedTab = async () => (await page.locator('[role="tab"][aria-selected="true"]').allTextContents()).join();
    const focusedTab = () => page.evaluate(() => document.activeElement?.getAttribute('role') === 'tab' ? document.activeElement.textContent : null);
    const tabStops = () => tabs.evaluateAll((all) => all.map((t) => (t as HTMLElement).tabIndex));
    assert.equal(await selectedTab(), 'Inputs', 'a span opens on Inputs the first time');
    assert.deepEqual(await tabStops(), [0, -1, -1, -1], 'one tab in the Tab order (roving tabindex)');
    assert.match(await page.locator('.exception-summary').innerText(), /PermissionError: EACCES: permission denied, open report\.md/, 'the exception is in view on every tab');
    assert.ok(await page.locator('.section-inputs').isVisible());
    assert.ok(!(await page.locator('.section-events').isVisible()), 'the other panels are hidden');

    await page.getByRole('tab', { name: 'Inputs' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await selectedTab(), 'Outputs');
    assert.equal(await focusedTab(), 'Outputs', 'focus follows the selection');
    assert.deepEqual(await tabStops(), [-1, 0, -1, -1]);
    assert.match(await page.locator('.section-outputs').innerText(), /no outputs/);
    await page.keyboard.press('End');
    assert.equal(await selectedTab(), 'Events (1)');
    assert.match(await page.locator('.section-events').innerText(), /at writeFile \(fs\.js:1\)/, 'the stack is in Events');
    await page.keyboard.press('ArrowRight');
    assert.equal(await focusedTab(), 'Inputs', 'right from the last wraps to the first');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focusedTab(), 'Events (1)', 'left from the first wraps to the last');
    await page.keyboard.press('Home');
    assert.equal(await focusedTab(), 'Inputs');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await selectedTab(), 'Attributes');
    assert.match(await page.locator('.section-attributes').innerText(), /no attributes/);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'tabpanel', 'Tab leaves the list for the open panel');
  });

  it('remembers the chosen tab across span selections and in the webview state', async () => {
    const first = await harness.open(story());
    await first.page.locator('.detail-title', { hasText: 'write_report' }).waitFor();
    await first.page.getByRole('tab', { name: 'Outputs' }).click();
    await first.page.locator('#span-row-1 .name').click();
    await first.page.locator('.detail-title', { hasText: 'plan' }).waitFor();
    assert.equal(await first.page.locator('[role="tab"][aria-selected="true"]').textContent(), 'Outputs', 'the next span opens on the same tab');
    assert.match(await first.page.locator('.section-outputs').innerText(), /First read the logs/);
    await first.page.getByRole('tab', { name: /^Events/ }).waitFor({ state: 'detached' });
    await first.page.waitForFunction(() => (window as unknown as { __costarSavedState?: { detailTab?: string; selected: number | null } }).__costarSavedState?.selected === 1);
    const saved = await first.state();
    assert.equal((saved as { detailTab?: string } | undefined)?.detailTab, 'outputs');
    const reloaded = await harness.open(story(), { savedState: saved });
    await reloaded.page.locator('.detail-title', { hasText: 'plan' }).waitFor();
    assert.equal(await reloaded.page.locator('[role="tab"][aria-selected="true"]').textContent(), 'Outputs', 'restored after a reload');

    // A tab the span lacks falls back to the first, and comes back on a span that has it.
    await reloaded.page.getByRole('tab', { name: 'Attributes' }).click();
    await reloaded.page.locator('#span-row-6 .name').click();
    await reloaded.page.locator('.detail-title', { hasText: 'write_report' }).waitFor();
    await reloaded.page.getByRole('tab', { name: /^Events/ }).click();
    await reloaded.page.locator('#span-row-1 .name').click();
    await reloaded.page.locator('.detail-title', { hasText: 'plan' }).waitFor();
    assert.equal(await reloaded.page.locator('[role="tab"][aria-selected="true"]').textContent(), 'Inputs', 'no Events here: the first tab');
    await reloaded.page.locator('#span-row-6 .name').click();
    await reloaded.page.locator('.detail-title', { hasText: 'write_report' }).waitFor();
    assert.equal(await reloaded.page.locator('[role="tab"][aria-selected="true"]').textContent(), 'Events (1)');
  });

  it('counts the search hits on each tab and marks them in every panel', async () => {
    const { page } = await harness.open(story());
    await page.locator('.detail-title', { hasText: 'write_report' }).waitFor();
    await page.getByLabel('Search spans').fill('report');
    await page.locator('.search-status', { hasText: /of/ }).waitFor();
    await page.locator('#span-row-6 .name').click(); // the first hit selected is the root's prompt
    await page.locator('.detail-title', { hasText: 'write_report' }).waitFor();
    const hitsOn = (key: string) => page.locator(`.tab-${key} .tab-hits`).allTextContents();
    await eventually(() => hitsOn('inputs'), ['2'], 'path report.md and content # Report');
    assert.deepEqual(await hitsOn('events'), ['1'], 'the exception message names report.md');
    assert.deepEqual(await hitsOn('outputs'), [], 'no badge without hits');
    assert.equal(await page.getByRole('tab', { name: 'Inputs, 2 search hits' }).count(), 1, 'the count is in the accessible name');
    assert.equal(await page.locator('.section-inputs mark.search-hit').count(), 2);
    await page.getByRole('tab', { name: /^Events/ }).click();
    assert.ok(await page.locator('.section-events mark.search-hit').first().isVisible());
    assert.ok(await page.locator('.exception-summary mark.search-hit').isVisible(), 'the exception line is marked too');
    await page.getByLabel('Search spans').fill('');
    await eventually(() => page.locator('.tab-hits').count(), 0, 'clearing the search clears the counts');
  });

  it('keeps expansion and selection in the webview state and restores them', async () => {
    const first = await harness.open(story());
    await first.page.locator('#span-row-3 .twisty').click(); // collapse analyze
    await first.page.locator('#span-row-2 .name').click();
    await first.page.waitForFunction(() => {
      const s = (window as unknown as { __costarSavedState?: { selected: number | null } }).__costarSavedState;
      return s?.selected === 2;
    });
    const saved = await first.state();
    assert.ok(saved);
    assert.ok(!saved.expanded.includes(3) && saved.expanded.includes(0), 'analyze (row 3) is saved collapsed, the root open');
    assert.equal(saved.rows, 8);
    const reloaded = await harness.open(story(), { savedState: saved });
    await eventually(() => selectedName(reloaded.page), 'read_logs');
    await eventually(() => visibleNames(reloaded.page), ['agent run', 'plan', 'read_logs', 'analyze', 'final answer']);
  });

  it('does not restore a saved state onto a tree of another size (rows would be other spans)', async () => {
    const first = await harness.open(story());
    await first.page.getByRole('button', { name: 'Collapse all' }).click();
    await first.page.locator('#span-row-0 .name').click();
    await first.page.waitForFunction(() => (window as unknown as { __costarSavedState?: { selected: number | null } }).__costarSavedState?.selected === 0);
    const saved = (await first.state())!;
    const fresh = await harness.open(story());
    const defaultView = await visibleNames(fresh.page);
    // The same source with one span more (the file was rewritten): the first opening's view, not the saved one.
    const reloaded = await harness.open(story(), { savedState: { ...saved, rows: saved.rows + 1 } });
    await eventually(() => visibleNames(reloaded.page), defaultView);
    const restored = await harness.open(story(), { savedState: saved });
    await eventually(() => visibleNames(restored.page), ['agent run']);
  });

  it('reveals spans the host asks for', async () => {
    const viewer = await harness.open(story());
    await viewer.page.getByRole('button', { name: 'Collapse all' }).click();
    await viewer.send({ type: 'reveal', rows: await viewer.controller.rowsOf([spanId(6)]) });
    await eventually(() => selectedName(viewer.page), 'draft');
  });

  it('shows the metrics header and the artifacts', async () => {
    const { page } = await harness.open({ ...story(), previous: { runId: 'run-1', traceId: 'f'.repeat(32), metrics: { spans: 6, errors: 0, totalTokens: 1000, inputTokens: 800, outputTokens: 200, modelCalls: 2, toolCalls: 2, toolFailures: 0, latencyMs: 4000 } } });
    assert.match(await page.locator('[data-metric="tool-calls"]').textContent() ?? '', /3, 1 failed \(33%\)/);
    assert.match(await page.locator('[data-metric="tokens"]').textContent() ?? '', /1\.6k.*\+610 \(\+61%\)/);
    assert.match(await page.locator('[data-metric="latency"]').textContent() ?? '', /5\.00 s.*\+1\.00 s/);
    assert.deepEqual(await page.locator('.artifact').allTextContents(), ['notes.txt created, 12 B', 'data.bin created, 2.0 KiB']);
  });

  it('takes screenshots in the light and the dark theme', async () => {
    mkdirSync('test-results', { recursive: true });
    for (const theme of ['light', 'dark'] as const) {
      const { page } = await harness.open(story(), { theme });
      await page.locator('.detail-title', { hasText: 'write_report' }).waitFor();
      await page.screenshot({ path: `test-results/trace-viewer-${theme}.png` });
    }
  });
});
