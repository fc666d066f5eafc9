/** The labeling panel's page: the shared strict-CSP document with the panel's state. */
import { LABELING_STATE_ELEMENT_ID, type LabelingState } from '../../shared/labelingProtocol';
import { renderWebviewHtml, type WebviewHtmlOptions } from '../webviewHtml';

export type LabelingHtmlOptions = Pick<WebviewHtmlOptions, 'cspSource' | 'scriptUri' | 'styleUris' | 'nonce'> & { state: LabelingState };

export function renderLabelingHtml(options: LabelingHtmlOptions): string {
  return renderWebviewHtml({ ...options, title: 'coSTAR: Label Traces', stateElementId: LABELING_STATE_ELEMENT_ID });
}
