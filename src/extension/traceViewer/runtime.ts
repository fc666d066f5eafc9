/**
 * Everything the trace viewer needs once a trace is shown: the controller, the trace readers
 * and the zod-validated protocol. index.ts imports this module only when a trace is first
 * opened, so activating the extension does not load it.
 */
export { SavedSource } from '../../shared/traceViewerProtocol';
export { checkedHostMessage, TraceViewerController } from './controller';
export { renderLoadingViewerHtml, renderViewerHtml } from './html';
export { openPromotedDraft } from '../promoteDraft';
export { recentTraces, traceTarget, viewerInput } from './traceSources';
export { TraceSessions } from './session';
export { noteOutlineUsed } from '../../core/trace/outlineCache';
export { LoadingPage } from './loadingPage';
