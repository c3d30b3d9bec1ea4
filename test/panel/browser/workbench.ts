/**
 * The harness page (harness.html) playing the extension host: it answers
 * the webview's 'ready' with 'show', switches themes the way VS Code does,
 * and logs the webview's messages. Runs in the browser.
 */
const frame = document.getElementById('webview') as HTMLIFrameElement;
const themeSelect = document.getElementById('theme') as HTMLSelectElement;
const fixtureSelect = document.getElementById('fixture') as HTMLSelectElement;
const log = document.getElementById('log') as HTMLPreElement;

type Fixtures = Record<string, unknown[]>;
let fixtures: Fixtures = {};

function line(text: string): void {
  log.append(document.createTextNode(`${new Date().toISOString().slice(11, 23)}  ${text}\n`));
  log.scrollTop = log.scrollHeight;
}

function option(select: HTMLSelectElement, value: string): void {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = value;
  select.append(o);
}

function post(): void {
  const win = frame.contentWindow as (Window & { __harness?: { show(p: unknown[]): void } }) | null;
  win?.__harness?.show(fixtures[fixtureSelect.value] ?? []);
}

function load(): void {
  frame.src = `/panel?theme=${encodeURIComponent(themeSelect.value)}`;
}

window.addEventListener('message', (e) => {
  if (e.source !== frame.contentWindow || e.origin !== location.origin) return;
  const msg = (e.data as { fromWebview?: { type?: string } }).fromWebview;
  if (!msg) return;
  line(JSON.stringify(msg));
  if (msg.type === 'ready') post();
});

themeSelect.addEventListener('change', () => {
  const win = frame.contentWindow as (Window & { __harness?: { setTheme(n: string): void } }) | null;
  win?.__harness?.setTheme(themeSelect.value);
});
fixtureSelect.addEventListener('change', post);
document.getElementById('repost')!.addEventListener('click', post);
document.getElementById('reload')!.addEventListener('click', load);

void (async () => {
  const info = (await (await fetch('/harness/info.json')).json()) as { themes: string[]; fixtures: Fixtures };
  fixtures = info.fixtures;
  info.themes.forEach((t) => option(themeSelect, t));
  Object.keys(fixtures).forEach((f) => option(fixtureSelect, f));
  themeSelect.value = info.themes.includes('dark') ? 'dark' : info.themes[0];
  load();
})();
