/** The dashboard's page: the shared strict-CSP document with the dashboard's state. */
import { DASHBOARD_STATE_ELEMENT_ID, type DashboardState } from '../../shared/dashboardProtocol';
import { renderWebviewHtml, type WebviewHtmlOptions } from '../webviewHtml';

export type DashboardHtmlOptions = Pick<WebviewHtmlOptions, 'cspSource' | 'scriptUri' | 'styleUris' | 'nonce'> & { state: DashboardState };

export function renderDashboardHtml(options: DashboardHtmlOptions): string {
  return renderWebviewHtml({ ...options, title: 'coSTAR dashboard', stateElementId: DASHBOARD_STATE_ELEMENT_ID });
}
