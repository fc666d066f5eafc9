// Webview entry points import their stylesheets; esbuild emits them as a .css next to the bundle.
declare module '*.css';
