/**
 * Issue 5: from a failed Test Explorer result to its trace. The person runs uses-tools, opens
 * "Open Trace" from the failed row's context menu, sees the failing judge's rationale in the
 * trace viewer, clicks the verdict, and the span it cites (the failed tool call) is revealed
 * and selected in the span tree.
 */
import type { UiTest } from './ui';
import { openTraceOfFailedRow } from './workbench';

export function traceViewerTest(): UiTest {
  return {
    name: 'Open Trace on a failed result shows the judge\'s rationale; clicking the verdict selects the cited span',
    async run({ page }) {
      const viewer = await openTraceOfFailedRow(page, 'uses-tools', ['ws', 'tools.scenario.yaml']);

      const verdict = viewer.locator('.verdict.verdict-failed[data-judge="max-tool-errors"]');
      await verdict.waitFor({ timeout: 30_000 });
      const rationale = await verdict.locator('.rationale').innerText();
      if (!/send_email[\s\S]*SMTP refused the connection/.test(rationale)) throw new Error(`unexpected rationale: ${rationale}`);

      // A trace with a failing verdict and an erroring span never carries the OK badge, and it
      // opens on the failing verdict's evidence.
      const badge = await viewer.locator('.trace-state').innerText();
      if (badge === 'OK') throw new Error('the failed trace shows the OK badge');
      await viewer.locator('.row[role="treeitem"][aria-selected="true"]:not([hidden]) .name', { hasText: /^send_email$/ }).waitFor({ timeout: 10_000 });
      await viewer.getByRole('separator', { name: 'Resize the side panel' }).waitFor({ timeout: 10_000 });

      // Hide the cited span first (the viewer opens on the root cause, which is that span).
      // The tree pools its row elements: rows outside the window are [hidden] (and must not show), not removed.
      const spanRow = (name: string) => viewer.locator('.row[role="treeitem"]').filter({ has: viewer.locator('.name', { hasText: new RegExp(`^${name}$`) }) });
      await viewer.locator('button[aria-label="Collapse all"]').click();
      await spanRow('send_email').waitFor({ state: 'hidden', timeout: 10_000 });

      await verdict.locator('.verdict-head').click();
      const selected = viewer.locator('.row[role="treeitem"][aria-selected="true"]:not([hidden])');
      await spanRow('send_email').and(selected).waitFor({ state: 'visible', timeout: 10_000 });
      const count = await selected.count();
      if (count !== 1) throw new Error(`${count} rows selected, expected only the cited span`);
      await viewer.locator('.detail-title').filter({ hasText: 'send_email' }).waitFor({ timeout: 10_000 });
    },
  };
}
