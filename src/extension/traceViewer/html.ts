/** The trace viewer's page: the shared strict-CSP document with the viewer's initial state. */
import { INITIAL_STATE_ELEMENT_ID } from '../../shared/traceViewerProtocol';
import { jsonForScriptElement, renderWebviewHtml, type WebviewHtmlOptions } from '../webviewHtml';
import type { ViewerPage } from './controller';

export type ViewerHtmlOptions = Pick<WebviewHtmlOptions, 'cspSource' | 'scriptUri' | 'styleUris' | 'nonce'> & { page: ViewerPage };

export function renderViewerHtml(options: ViewerHtmlOptions): string {
  const { state, skeletonJson } = options.page;
  // The skeleton arrives as JSON the worker rendered (tens of MB at 250,000 spans): spliced in
  // as the state's first member rather than parsed and stringified again on the host thread.
  const stateJson = `{"skeleton":${skeletonJson},${jsonForScriptElement(state).slice(1)}`;
  return renderWebviewHtml({ ...options, title: state.title, stateElementId: INITIAL_STATE_ELEMENT_ID, state: undefined, stateJson });
}
