import { loadPageOperations } from '../../src/web/pageOperations.js';

/**
 * Operations shared by several test files. Describe and History are the web page's own, read as
 * the playground reads them, so a test sends what the browser sends and the two cannot drift.
 */
export const { DESCRIBE, HISTORY } = loadPageOperations();

export const COUNT = /* GraphQL */ `
  {
    history {
      totalCount
    }
  }
`;
