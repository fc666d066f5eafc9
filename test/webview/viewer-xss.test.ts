/**
 * A trace made of hostile strings — script tags, event-handler attributes, javascript: links,
 * CSS that would close a style element — in names, inputs, outputs, attribute keys, events,
 * verdicts and artifact paths. Nothing may run, nothing may load, and the text must be shown
 * as text. Needs `npm run build` first.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startViewerHarness, type ViewerHarness } from './viewerPage';
import { HOSTILE, hostileTrace, hostileVerdicts } from './fixtures';

describe('trace viewer webview with hostile trace content', () => {
  let harness: ViewerHarness;
  before(async () => { harness = await startViewerHarness(); });
  after(async () => { await harness.close(); });

  it('runs no script, loads nothing and shows every hostile string as text', async () => {
    const viewer = await harness.open({ source: { kind: 'store', traceId: 'a'.repeat(32) }, trace: hostileTrace(), verdicts: hostileVerdicts() });
    const { page } = viewer;
    const violations: string[] = [];
    await page.exposeFunction('__costarCspViolation', (v: string) => violations.push(v));
    await page.evaluate(() => document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { __costarCspViolation(v: string): void }).__costarCspViolation(`${e.violatedDirective} ${e.blockedURI}`)));

    // Visit everything: every row's detail, hover, click the verdict, expand all text.
    for (let row = 0; row < 4; row++) {
      await page.locator(`#span-row-${row} .name`).click();
      await page.locator(`#span-row-${row} .name`).hover();
      await page.locator('.detail-title').filter({ hasText: hostileTrace().spans[row]!.name }).waitFor();
      for (const button of await page.locator('.detail .show-all').all()) await button.click();
    }
    await page.locator('#span-row-1 .name').click();
    await page.getByRole('tab', { name: 'Attributes' }).click();
    await page.locator('.section-attributes').waitFor();
    assert.ok((await page.locator('.section-attributes th').allTextContents()).includes(HOSTILE.script), 'attribute key shown as text');
    await page.locator('.verdict-head').click();
    await page.getByLabel('Search spans').fill(HOSTILE.script);
    await page.locator('.search-status', { hasText: /of/ }).waitFor();

    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined, 'no injected script ran');
    const foreign = viewer.requests.filter((url) => !url.startsWith(harness.origin));
    assert.deepEqual(foreign, [], 'no request left the page');
    assert.deepEqual(violations, [], 'nothing even tried to break the content security policy');
    assert.equal(await page.locator('#app script, #app img, #app svg, #app a, #app style, #app iframe').count(), 0, 'no element came from trace text');
    assert.ok(await page.locator('.row').first().isVisible(), 'the CSS payload did not hide the page');

    const text = await page.locator('#app').innerText();
    for (const [what, hostile] of Object.entries(HOSTILE)) {
      assert.ok(text.includes(hostile), `${what} payload is visible as text`);
    }
    assert.equal(await page.locator('#span-row-0 .name').textContent(), HOSTILE.script);
    assert.deepEqual(viewer.errors, []);
  });
});
