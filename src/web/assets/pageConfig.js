// @ts-check
// What the server rendered into the page for its scripts (appPage.ts), read once.

/** @type {{ graphqlPath: string, samplePath: string, defaultPrompt: string }} */
export const pageConfig = JSON.parse(document.getElementById('app-config')?.textContent ?? '{}');
