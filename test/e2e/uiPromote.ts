/**
 * Issue 8 from the trace viewer: the person runs polite (it fails "says please"), opens its
 * trace from the failed row's context menu, clicks "Promote to scenario" in the viewer's header,
 * and an untitled *.scenario.yaml opens with a draft that replays polite's prompt.
 */
import type { UiTest } from './ui';
import { openTraceOfFailedRow } from './workbench';
import { waitFor } from './waitFor';

export function promoteTest(): UiTest {
  return {
    name: 'Promote to scenario in the trace viewer of a failed run opens an untitled scenario draft with its prompt',
    async run({ page }) {
      const viewer = await openTraceOfFailedRow(page, 'polite', ['ws', 'greetings.scenario.yaml']);

      const promote = viewer.getByRole('button', { name: 'Promote to scenario' });
      await promote.waitFor({ timeout: 30_000 });
      await promote.click();

      await page.locator('.part.editor .tab.active').filter({ hasText: /\.scenario\.yaml/ }).waitFor({ timeout: 20_000 });
      await waitFor('the draft to show polite\'s prompt and the failed judge', async () => {
        const shown = (await page.locator('.part.editor .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
        return shown.includes('prompt: ask nicely') && shown.includes('please');
      }, 20_000);
    },
  };
}
