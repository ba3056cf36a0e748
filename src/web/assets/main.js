// @ts-check
// The one-page app's entry: describe an image through the GraphQL API, look at usage, browse
// the ledger. Plain ES modules the browser runs as they are (no build step); the server
// rewrites each import to the imported module's hashed URL. This module only wires the views.

import { apiKey, saveApiKey } from './api.js';
import { loadPageSetup } from './catalog.js';
import { setUpDashboard } from './dashboard.js';
import { setUpDescribeForm } from './describeForm.js';
import { byId, input, onOpenRecord } from './dom.js';
import { setUpHistoryTable } from './historyTable.js';
import { setUpRecordDialog } from './recordDialog.js';

const openRecord = setUpRecordDialog();
const history = setUpHistoryTable({ openRecord });
const dashboard = setUpDashboard();
onOpenRecord(byId('result'), openRecord);

const refresh = () => {
  void history.reload();
  void dashboard.reload();
};

// The API key: kept in this browser, sent with every request (see api.js).
const keyInput = input('api-key');
const keyState = byId('api-key-state');
const showKeyState = () => (keyState.textContent = apiKey() ? 'Saved in this browser.' : 'Not set.');
keyInput.value = apiKey();
showKeyState();
keyInput.addEventListener('change', () => {
  if (!saveApiKey(keyInput.value.trim())) {
    keyState.textContent = 'This browser does not allow storing it.';
    return;
  }
  showKeyState();
  refresh();
});

// The catalog first (one small query) so the table and the charts can show model names.
const setup = await loadPageSetup();
setUpDescribeForm({ setup, onLedgerChanged: refresh });
refresh();
