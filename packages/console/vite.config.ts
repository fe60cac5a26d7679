import { defineConfig } from 'vite';

/**
 * The console's build: a static single-page app under `/console/` (the gateway serves `dist/` there, with a
 * fallback to `index.html` for client routes), every script and style bundled into `dist/assets/` (no CDN, no
 * inline script, so the gateway's `script-src 'self'` Content-Security-Policy holds). JSX compiles for Preact.
 */
export default defineConfig({
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline `data:` modules or scripts: the CSP allows only same-origin files.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
