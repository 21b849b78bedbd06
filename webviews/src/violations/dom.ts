/**
 * Building DOM without HTML strings. Every string that came from a resource, a pack or the
 * user goes in as a text node or an attribute value, so markup in a bucket's name renders
 * as the characters it is. Nothing in the panel uses innerHTML.
 */

type Child = Node | string | number | undefined | null | false;

export interface ElementProps {
    class?: string;
    /** Attributes (aria-*, role, title...). Never event handlers or URLs: those are not data. */
    attrs?: Record<string, string | number | boolean | undefined>;
    on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function setAttrs(element: Element, attrs: ElementProps['attrs']): void {
    for (const [name, value] of Object.entries(attrs ?? {})) {
        if (value === undefined || value === false) element.removeAttribute(name);
        else element.setAttribute(name, value === true ? '' : String(value));
    }
}

export function append(parent: Node, children: Child[]): void {
    for (const child of children) {
        if (child === undefined || child === null || child === false) continue;
        parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    }
}

/** An element with properties and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
    const element = document.createElement(tag);
    if (props.class) element.className = props.class;
    setAttrs(element, props.attrs);
    for (const [event, listener] of Object.entries(props.on ?? {})) element.addEventListener(event, listener as EventListener);
    append(element, children);
    return element;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
    const element = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
    append(element, children);
    return element;
}

/** A date-time as the reader's locale shows it (UTC date when the value is only a date). */
export function formatDate(iso: string | undefined): string {
    if (!iso) return '';
    const time = Date.parse(iso);
    if (Number.isNaN(time)) return iso;
    return new Date(time).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function formatDay(iso: string | undefined): string {
    if (!iso) return '';
    const time = Date.parse(iso);
    return Number.isNaN(time) ? iso : new Date(time).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/**
 * A suppression's expiry: the day the user picked, stored as that day's UTC midnight. Shown
 * in UTC, so a reader west of Greenwich does not see the day before (and no "12:00 AM").
 */
export function formatUntil(iso: string | undefined): string {
    if (!iso) return '';
    const time = Date.parse(iso);
    return Number.isNaN(time) ? iso : new Date(time).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

export const count = (n: number): string => n.toLocaleString('en-US');
