/** Files the agent created, changed or deleted in its sandbox; text ones open in an editor. */
import type { ArtifactEntry } from '../../src/shared/traceViewerProtocol';
import { h, icon } from '../shared/dom';
import { formatBytes } from './format';

export function artifactsPanel(artifacts: readonly ArtifactEntry[], open: (path: string) => void): HTMLElement | null {
  if (artifacts.length === 0) return null;
  return h('section', { className: 'panel artifacts', attrs: { 'aria-label': 'Artifacts' } }, [
    h('h2', { text: `Artifacts (${artifacts.length})` }),
    h('ul', {}, artifacts.map((a) => h('li', { className: `artifact change-${a.change}` }, [
      a.hasText
        ? h('button', { className: 'link', title: 'Open in an editor', onClick: () => open(a.path) }, [icon('file'), h('span', { text: a.path })])
        : h('span', { title: a.change === 'deleted' ? 'Deleted by the agent' : 'Binary, or over the size cap: content not recorded' }, [icon('file-binary'), h('span', { text: a.path })]),
      h('span', { className: 'muted', text: ` ${a.change}, ${formatBytes(a.size)}` }),
    ]))),
  ]);
}
