// GraphiQL 4 on React 18 (UMD globals React, ReactDOM, GraphiQL), configured from the JSON
// the server embeds. Subscriptions go over graphql-ws (bundled in GraphiQL's UMD build) to
// the same path as ws:// or wss://; the socket opens only when a subscription runs.
(() => {
  'use strict';
  const config = JSON.parse(document.getElementById('playground-config').textContent);
  const url = new URL(config.graphqlPath, location.href);
  const subscriptionUrl = new URL(url);
  subscriptionUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';

  const fetcher = GraphiQL.createFetcher({ url: url.href, subscriptionUrl: subscriptionUrl.href });
  const icon = document.querySelector('link[rel="icon"]').getAttribute('href');
  const h = React.createElement;
  const logo = h(
    GraphiQL.Logo,
    null,
    h(
      'a',
      { className: 'playground-logo', href: config.appPath, title: 'Back to the app' },
      h('img', { src: icon, alt: '' }),
      'Bedrock Vision',
    ),
  );

  // GraphiQL 4.1 fills the first tab's query from defaultTabs but not its variables: hand
  // them over on a first visit (later visits restore every tab from localStorage).
  let firstVisit = true;
  try {
    firstVisit = localStorage.getItem('graphiql:tabState') === null;
  } catch {
    // Storage blocked: GraphiQL starts from defaultTabs every time.
  }
  const firstTabVariables = firstVisit && config.tabs.length > 0 ? { variables: config.tabs[0].variables } : {};

  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    h(
      GraphiQL,
      {
        fetcher,
        ...firstTabVariables,
        defaultTabs: config.tabs,
        defaultHeaders: config.headers,
        defaultEditorToolsVisibility: 'variables',
        // Headers may hold an API key: keep them out of localStorage.
        shouldPersistHeaders: false,
      },
      logo,
    ),
  );
})();
