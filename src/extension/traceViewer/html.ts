/** The trace viewer's page: the shared strict-CSP document with the viewer's initial state. */
import { INITIAL_STATE_ELEMENT_ID, type InitialState } from '../../shared/traceViewerProtocol';
import { renderWebviewHtml, type WebviewHtmlOptions } from '../webviewHtml';


export type ViewerHtmlOptions = Pick<WebviewHtmlOptions, 'cspSource' | 'scriptUri' | 'styleUris' | 'nonce'> & { initialState: InitialState };

export function renderViewerHtml(options: ViewerHtmlOptions): string {
  return renderWebviewHtml({ ...options, title: options.initialState.title, stateElementId: INITIAL_STATE_ELEMENT_ID, state: options.initialState });
}
