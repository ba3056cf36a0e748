// @ts-check
// Building and finding the page's elements. Text always goes in as text nodes, so data from
// the ledger is never parsed as HTML.

/** @param {string} id @returns {HTMLElement} */
export function byId(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found;
}

/** @param {string} id */
export const input = (id) => /** @type {HTMLInputElement} */ (byId(id));

/** @param {string} id */
export const select = (id) => /** @type {HTMLSelectElement} */ (byId(id));

/** @param {string} id */
export const button = (id) => /** @type {HTMLButtonElement} */ (byId(id));

/** @typedef {Node | string | null | undefined | false} Child */

/**
 * Creates an element; strings become text nodes, so data is never parsed as HTML.
 * @param {string} tag
 * @param {Record<string, string | boolean | number | undefined>} [attributes]
 * @param {...Child} children
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/**
 * Replaces an element's children, skipping the empty ones (replaceChildren would print "null").
 * @param {Element} parent
 * @param {...Child} children
 */
export function fill(parent, ...children) {
  /** @type {(Node | string)[]} */
  const kept = [];
  for (const child of children) if (child !== null && child !== undefined && child !== false) kept.push(child);
  parent.replaceChildren(...kept);
}

/** A status as a coloured label (also for the page's own states, such as STREAMING). @param {string} status */
export const badge = (status) => el('span', { class: `badge ${status.toLowerCase()}` }, status.toLowerCase());

/**
 * Calls `open` with the id in the `data-open` attribute of the clicked element (or an
 * ancestor within `container`): rows and "Open the full record" links.
 * @param {HTMLElement} container @param {(id: string) => void} open
 */
export function onOpenRecord(container, open) {
  /** @param {Event} event */
  const idOf = (event) => /** @type {HTMLElement} */ (event.target).closest('[data-open]')?.getAttribute('data-open');
  container.addEventListener('click', (event) => {
    const id = idOf(event);
    if (id) open(id);
  });
  container.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const target = /** @type {HTMLElement} */ (event.target);
    // A focused row opens on Enter or Space; a button does that by itself (click).
    if (target.tagName !== 'TR') return;
    const id = idOf(event);
    if (id) {
      event.preventDefault();
      open(id);
    }
  });
}
