/**
 * "Promote to scenario" in the trace viewer's header: offered for a stored trace with a failing
 * or erroring verdict, and its click reaches the host as a `promote` message that the real
 * controller turns into a request to draft that trace. Needs `npm run build` first.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from './eventually';
import { startViewerHarness, type ViewerHarness } from './viewerPage';
import { storyTrace, storyVerdicts, verdict } from './fixtures';

const TRACE_ID = 'abcdef0123456789abcdef0123456789';
const WORKSPACE = '/tmp/costar-ws';
const promoteButton = 'header .promote';

describe('trace viewer: Promote to scenario', () => {
  let harness: ViewerHarness;
  before(async () => { harness = await startViewerHarness(); });
  after(async () => { await harness.close(); });

  it('a stored trace with a failing verdict offers the button; clicking it asks the host to promote that trace from its workspace', async () => {
    const trace = storyTrace();
    const { page, posted, promoted, errors } = await harness.open({ source: { kind: 'store', traceId: trace.info.traceId }, storeWorkspace: WORKSPACE, trace, verdicts: storyVerdicts() });
    const button = page.getByRole('button', { name: 'Promote to scenario' });
    await button.click();
    await eventually(async () => posted.filter((m) => (m as { type: string }).type === 'promote'), [{ type: 'promote' }]);
    await eventually(async () => promoted, [`${WORKSPACE}:${trace.info.traceId}`]);
    assert.deepEqual(errors, []);
  });

  it('an erroring verdict is enough to offer it', async () => {
    const { page } = await harness.open({
      source: { kind: 'store', traceId: TRACE_ID }, storeWorkspace: WORKSPACE, trace: storyTrace(),
      verdicts: [verdict({ judge: 'tone', outcome: 'error', value: null, rationale: '', error: 'the model answered 500' })],
    });
    await page.getByRole('button', { name: 'Promote to scenario' }).waitFor();
  });

  it('is not offered when every verdict passed or was skipped, nor for a trace file outside a trace store', async () => {
    const passing = storyVerdicts().filter((v) => v.outcome !== 'failed');
    const green = await harness.open({ source: { kind: 'store', traceId: TRACE_ID }, storeWorkspace: WORKSPACE, trace: storyTrace(), verdicts: passing });
    assert.equal(await green.page.locator(promoteButton).count(), 0);
    const fromFile = await harness.open({ source: { kind: 'file', uri: 'file:///tmp/story.trace.json' }, trace: storyTrace(), verdicts: storyVerdicts() });
    assert.equal(await fromFile.page.locator(promoteButton).count(), 0);
  });

  it('a promote message the host cannot honour is answered with an error, not a draft', async () => {
    const { page, promoted } = await harness.open({ source: { kind: 'file', uri: 'file:///tmp/story.trace.json' }, trace: storyTrace(), verdicts: storyVerdicts() });
    await page.evaluate(() => (window as unknown as { __costarHostReceive(m: unknown): void }).__costarHostReceive({ type: 'promote' }));
    await page.locator('.notice', { hasText: 'Only a stored trace with a failing or erroring verdict can be promoted' }).waitFor();
    assert.deepEqual(promoted, []);
  });
});
