/**
 * The only way the panel makes DOM: elements from tag names, text through
 * text nodes, attributes through setAttribute with a refusal list. No HTML
 * strings are parsed anywhere in the webview (a unit test greps for the
 * APIs that would), so a column named `<img src=x onerror=…>` is text.
 */

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  title?: string;
  /** Other attributes: never event handlers (on…), style, or srcdoc. */
  attrs?: Record<string, string | number | boolean | null | undefined>;
  data?: Record<string, string>;
}

const REFUSED_ATTRIBUTE = /^(on|style$|srcdoc$|formaction$)/i;

export function setAttr(el: Element, name: string, value: string | number | boolean | null | undefined): void {
  if (REFUSED_ATTRIBUTE.test(name)) throw new Error(`The panel does not set the ${name} attribute.`);
  if (value == null || value === false) el.removeAttribute(name);
  else el.setAttribute(name, value === true ? '' : String(value));
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c == null || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** h('td', { class: 'num', title }, '1,234') */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, props?: Props | null, ...children: Child[]): HTMLElement;
export function h(tag: string, props?: Props | null, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  if (props) {
    if (props.class) el.className = props.class;
    if (props.title) el.title = props.title;
    if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) setAttr(el, k, v);
    if (props.data) for (const [k, v] of Object.entries(props.data)) el.dataset[k] = v;
  }
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Record<string, string | number>, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) setAttr(el, k, v);
  append(el, children);
  return el as SVGElement;
}

/** A CSS custom property through the CSSOM (allowed under a style-src without 'unsafe-inline'). */
export function setVar(el: HTMLElement | SVGElement, name: `--${string}`, value: string | number): void {
  el.style.setProperty(name, String(value));
}

/** A button that looks like a link and says where it goes. */
export function linkButton(text: string, title: string, onClick: () => void, cls = 'link'): HTMLButtonElement {
  const b = h('button', { class: cls, title, attrs: { type: 'button' } }, text);
  b.addEventListener('click', onClick);
  return b;
}
