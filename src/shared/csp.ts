/**
 * The cluster panel's page: its Content Security Policy and its HTML. This is
 * the only place the panel's HTML is built as a string; everything it
 * interpolates is escaped. The extension host calls these from its
 * WebviewPanel class:
 *
 *   const nonce = makeNonce();
 *   panel.webview.html = panelHtml({
 *     cspSource: panel.webview.cspSource,
 *     nonce,
 *     scriptUri: panel.webview.asWebviewUri(Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
 *     styleUris: [panel.webview.asWebviewUri(Uri.joinPath(extensionUri, 'dist', 'panel.css')).toString()],
 *     title: 'Segment: clusters',
 *   });
 *
 * with `localResourceRoots: [Uri.joinPath(extensionUri, 'dist')]` and
 * `enableScripts: true` in the panel's options.
 */

/**
 * The policy, one directive per concern:
 * - default-src 'none': nothing loads unless allowed below (no fetch, frames, fonts, media).
 * - script-src 'nonce-…': only the panel's own bundle (tagged with this page's nonce) runs;
 *   no inline scripts, no inline event handlers, no eval.
 * - style-src cspSource: only stylesheets from the extension; no <style> blocks and no style
 *   attributes. (Styles set through the CSSOM — element.style.setProperty — and the
 *   constructable stylesheets the web components adopt are not affected.)
 * - img-src cspSource: images only from the extension (the panel uses none today).
 * - require-trusted-types-for 'script'; trusted-types lit-html: string-to-HTML sinks
 *   (innerHTML and friends) throw unless given a TrustedHTML; only Lit's own template
 *   policy (used by @vscode-elements/elements) may make one.
 * - base-uri 'none', form-action 'none': no <base> rewriting, no form submission.
 */
export function panelCsp(cspSource: string, nonce: string): string {
  checkSource(cspSource);
  checkNonce(nonce);
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource}`,
    "require-trusted-types-for 'script'",
    'trusted-types lit-html',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** 32 random characters from [A-Za-z0-9] (190 bits), from the platform's cryptographic generator. */
export function makeNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const out: string[] = [];
  const bytes = new Uint8Array(64);
  while (out.length < 32) {
    globalThis.crypto.getRandomValues(bytes);
    // 62 · 4 = 248: reject 248..255 so every character is equally likely.
    for (const b of bytes) if (b < 248 && out.length < 32) out.push(alphabet[b % 62]);
  }
  return out.join('');
}

export interface PanelHtmlOptions {
  /** webview.cspSource, e.g. "https://*.vscode-cdn.net" (or the harness's http://127.0.0.1:PORT). */
  cspSource: string;
  /** From makeNonce(), new for every page. */
  nonce: string;
  /** webview.asWebviewUri(dist/webview.js). */
  scriptUri: string;
  /** webview.asWebviewUri(dist/panel.css), … */
  styleUris: string[];
  title: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** The full page. */
export function panelHtml(options: PanelHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUris, title } = options;
  const csp = panelCsp(cspSource, nonce);
  const e = escapeHtml;
  const styles = styleUris.map((href) => `  <link rel="stylesheet" href="${e(href)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${e(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
  <title>${e(title)}</title>
</head>
<body>
  <main id="app" class="app"><p class="loading">Loading the cluster profile…</p></main>
  <script nonce="${e(nonce)}" src="${e(scriptUri)}"></script>
</body>
</html>
`;
}

/** A nonce goes into a CSP source expression: base64 characters only. */
function checkNonce(nonce: string): void {
  if (!/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(nonce)) throw new Error('The CSP nonce must be at least 16 base64 characters (use makeNonce()).');
}

/** cspSource is a source list from VS Code; refuse anything that could end the directive or the attribute. */
function checkSource(source: string): void {
  if (typeof source !== 'string' || !source.trim() || /[;,"<>]/.test(source) || [...source].some((c) => c.charCodeAt(0) < 0x20)) {
    throw new Error(`Not a CSP source list: ${JSON.stringify(source)}`);
  }
}
