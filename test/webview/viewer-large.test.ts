/**
 * A generated 50,000-span trace: it opens, expands, scrolls and searches, and the DOM holds only
 * the rows in view. (Speed is measured by bench/viewer.bench.ts, not asserted here.)
 * Needs `npm run build` first.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startViewerHarness, type ViewerHarness } from './viewerPage';
import { eventually } from './eventually';
import { generatedTrace } from './fixtures';

const SPANS = 50_000;

describe('trace viewer webview with 50,000 spans', () => {
  let harness: ViewerHarness;
  before(async () => { harness = await startViewerHarness(); });
  after(async () => { await harness.close(); });

  it('opens, expands everything, scrolls to the end and finds a span deep in the tree', async () => {
    const { page, errors } = await harness.open({ source: { kind: 'store', traceId: 'b'.repeat(32) }, trace: generatedTrace(SPANS), verdicts: [] });
    const renderedRows = () => page.locator('.row:not([hidden])').count();
    assert.ok(await renderedRows() < 120, 'only the rows in view are in the DOM');
    assert.equal(await page.locator('[data-metric="spans"] .metric-value').textContent(), `50k, ${Math.floor(SPANS / 97)} erroring`);

    await page.getByRole('button', { name: 'Expand all' }).click();
    const spacerHeight = () => page.locator('.tree-spacer').evaluate((el) => el.getBoundingClientRect().height);
    await eventually(spacerHeight, SPANS * 22, 'every span has a row once all is expanded');
    assert.ok(await renderedRows() < 120, 'still windowed after expanding 50,000 rows');

    await page.locator('.tree-scroll').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await eventually(() => page.locator(`#span-row-${SPANS - 1}`).count(), 1, 'the last span is rendered at the bottom');
    await page.locator(`#span-row-${SPANS - 1} .name`).click();
    await page.keyboard.press('Home');
    await eventually(async () => (await page.locator('.row.selected .name').allTextContents())[0], 'agent run');

    await page.getByRole('button', { name: 'Collapse all' }).click();
    await page.getByLabel('Search spans').fill('question number 49999"');
    await page.locator('.search-status', { hasText: '1 of 1' }).waitFor();
    await eventually(async () => (await page.locator('.row.selected .name').allTextContents())[0], `${generatedTrace(SPANS).spans[49_999]!.spanType.toLowerCase()} step 49999`);
    await page.locator('.detail-title', { hasText: 'step 49999' }).waitFor();
    assert.deepEqual(errors, []);
  });
});
