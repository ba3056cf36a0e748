// @ts-check
// What the server says about itself at the page's start: the model catalog (names, prices,
// lifecycle, output limits) and its settings (default model, image limits). The page restates
// none of them.

import { graphql } from './api.js';
import { el } from './dom.js';
import { PAGE_SETUP } from './operations.js';

/** @typedef {import('../../generated/webOperations.js').PageSetupQuery} PageSetup */
/** @typedef {PageSetup['models'][number]} CatalogModel */
/** @typedef {PageSetup['settings']} ServerSettings */

/** Catalog names by model id, once the setup query has answered. @type {Map<string, string>} */
const modelNames = new Map();

/** A model's catalog name, or its id when the catalog does not know it. @param {string} id */
export const modelName = (id) => modelNames.get(id) ?? id;

/** @param {string} id */
export const modelLabel = (id) => el('span', { class: 'model', title: id }, modelName(id));

/**
 * The catalog and the settings, or null when the server could not answer (the page then
 * keeps free-text model fields and sends every file as a multipart upload, which the server
 * checks and scales down itself).
 * @returns {Promise<PageSetup | null>}
 */
export async function loadPageSetup() {
  try {
    const setup = await graphql(PAGE_SETUP, {});
    for (const m of setup.models) modelNames.set(m.id, m.name);
    return setup;
  } catch {
    return null;
  }
}
