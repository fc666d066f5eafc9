/** The trace viewer's page: the shared strict-CSP document with the viewer's initial state. */
import { INITIAL_STATE_ELEMENT_ID } from '../../shared/traceViewerProtocol';
import { renderWebviewHtml, type WebviewHtmlOptions } from '../webviewHtml';
import type { ViewerPage } from './controller';

export type ViewerHtmlOptions = Pick<WebviewHtmlOptions, 'cspSource' | 'scriptUri' | 'styleUris' | 'nonce'> & { page: ViewerPage };

export function renderViewerHtml(options: ViewerHtmlOptions): string {
  const { state } = options.page;
  return renderWebviewHtml({ ...options, title: state.title, stateElementId: INITIAL_STATE_ELEMENT_ID, state });
}
