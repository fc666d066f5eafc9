// The trace viewer's worker thread run from source (tsx) for unit tests; the extension runs the
// bundle dist/traceWorker.js instead.
require('tsx/cjs/api').register();
require('../../src/extension/traceViewer/traceWorker.ts');
