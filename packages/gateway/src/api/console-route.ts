import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import sirv from 'sirv';

/** Where the console is served: `/console/` (its pages are client routes below it). */
export const CONSOLE_PATH = '/console';

/**
 * The console's Content-Security-Policy (CSP Level 3, https://www.w3.org/TR/CSP3/): scripts, styles, images,
 * fonts and API calls from the gateway's own origin only (no CDN, no inline script, no `eval`), no plugins, no
 * `<base>` rewriting, forms post only to the origin, and no framing by another site (clickjacking an approval).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The console's built files: `packages/console/dist` beside this package in the repository (from `src/api/` and
 * from `dist/api/` alike). The published gateway package does not carry them; there `/console/` answers 404.
 */
export const DEFAULT_CONSOLE_DIR = resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'console',
  'dist',
);

/** True for `GET`/`HEAD` of `/console` or anything below `/console/`. */
export function isConsoleRequest(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  return path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function securityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', CONSOLE_CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('x-frame-options', 'DENY');
}

function notFound(res: ServerResponse, message: string): void {
  securityHeaders(res);
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(message);
}

/**
 * Serves the console from `dir` (see {@link DEFAULT_CONSOLE_DIR}) with `sirv`: only files that were in `dir`
 * when the first console request came are ever served (sirv's production mode lists them once), so no path
 * (`..`, encoded or not) reaches outside it; content types from the file extension (`mrmime`); the hashed files
 * under `assets/` cached for a year (`immutable`), `index.html` revalidated each time. Any other path under
 * `/console/` without a file extension is a client route and gets `index.html` (single-page fallback); a
 * missing file with an extension is 404. Every answer carries {@link CONSOLE_CSP}, `nosniff` and no referrer.
 * `/console` redirects to `/console/`.
 */
export function createConsoleRoute(dir: string = DEFAULT_CONSOLE_DIR): Handler {
  let serve: Handler | undefined;
  return (req, res) => {
    const url = req.url ?? '/';
    const [path = '/', search] = url.split('?', 2);
    if (path === CONSOLE_PATH) {
      securityHeaders(res);
      res.writeHead(308, { location: `${CONSOLE_PATH}/${search ? `?${search}` : ''}` });
      return void res.end();
    }
    if (!serve) {
      if (!existsSync(join(dir, 'index.html'))) {
        return notFound(
          res,
          'The console is not built here: run `pnpm build` in the repository.\n',
        );
      }
      const files = sirv(dir, {
        single: true,
        etag: true,
        dotfiles: false,
        setHeaders: (response, pathname) => {
          securityHeaders(response);
          response.setHeader(
            'cache-control',
            pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
          );
        },
      });
      serve = (request, response) =>
        files(request, response, () => notFound(response, 'Not found\n'));
    }
    req.url = url.slice(CONSOLE_PATH.length);
    serve(req, res);
  };
}
