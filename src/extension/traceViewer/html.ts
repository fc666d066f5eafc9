/** The trace viewer's page: the shared strict-CSP document with the viewer's initial state. */
import { INITIAL_STATE_ELEMENT_ID, type LoadingState } from '../../shared/traceViewerProtocol';
import { renderWebviewHtml, type WebviewHtmlOptions } from '../webviewHtml';
import type { ViewerPage } from './controller';

export type ViewerHtmlOptions = Pick<WebviewHtmlOptions, 'cspSource' | 'scriptUri' | 'styleUris' | 'nonce'> & { page: ViewerPage };

export function renderViewerHtml(options: ViewerHtmlOptions): string {
  const { state } = options.page;
  return renderWebviewHtml({ ...options, title: state.title, stateElementId: INITIAL_STATE_ELEMENT_ID, state });
}

/** The viewer's page while the trace file is read for the first time (see LoadingState). */
export function renderLoadingViewerHtml(options: Omit<ViewerHtmlOptions, 'page'> & { state: LoadingState }): string {
  return renderWebviewHtml({ ...options, title: options.state.title, stateElementId: INITIAL_STATE_ELEMENT_ID, state: options.state });
}
