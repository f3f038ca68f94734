import { createHash } from 'node:crypto';

/**
 * The page. Asset URLs are relative (`console/app-….js`), so the console also works behind a proxy that
 * serves the API under a path prefix. The one inline script applies the saved theme before the first paint;
 * the server allows it by its hash in the Content-Security-Policy.
 */
export function consolePage(script: string, stylesheet: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>agent-sdk console</title>
<link rel="icon" href="data:image/svg+xml,${encodeURIComponent(FAVICON)}">
<link rel="stylesheet" href="console/${stylesheet}">
<script>${THEME_SCRIPT}</script>
<script type="module" src="console/${script}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the console…</p></div>
<noscript><p class="boot">The console needs JavaScript. The API is described at <a href="docs">/docs</a>.</p></noscript>
</body>
</html>
`;
}

const THEME_SCRIPT = `try{var t=localStorage.getItem('agent-sdk.console.theme');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#4f46e5"/>' +
  '<path d="M9 22l7-13 7 13M12 17h8" stroke="#fff" stroke-width="3" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>';

/** The SHA-256 of every inline `<script>` of a page, as CSP sources (`'sha256-…'`). */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
}

