import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type Request } from 'express';
import { renderAppPage } from './appPage.js';
import { sendPage } from './html.js';
import { imageRoute, type WebImageStore } from './imageRoute.js';
import { loadPageOperations } from './pageOperations.js';
import { EXAMPLE_HEADERS, historyExample, playgroundTabs } from './playgroundExamples.js';
import { renderPlaygroundPage } from './playgroundPage.js';
import { renderSandboxPage, SANDBOX_CSP } from './sandboxPage.js';
import { AssetRegistry, OWN_ASSETS_DIR, packageEntrySibling, packageFile } from './webAssets.js';

/** `graphiql`: offline GraphiQL served from npm packages; `sandbox`: Apollo Sandbox from its CDN; `off`: none. */
export type PlaygroundMode = 'graphiql' | 'sandbox' | 'off';

export interface WebRouterOptions {
  readonly playground: PlaygroundMode;
  /** Where the GraphQL handler is mounted (the page and the playground post there). */
  readonly graphqlPath: string;
  /** Image bytes kept by IMAGE_STORE, for thumbnails; a store that keeps nothing answers null. */
  readonly imageStore: WebImageStore;
  /** The built-in Bedrock emulator answers: the page shows a banner saying so. */
  readonly emulated?: boolean;
}

/**
 * The npm packages the page imports by bare name, mapped to their browser ES module builds
 * (the server's import map: see AssetRegistry.addModule).
 */
const BROWSER_PACKAGES: Readonly<Record<string, string>> = {
  'graphql-ws/client': packageFile('graphql-ws', 'dist/client.js'),
  // These two export only their entry points (no package.json): each ES module build is found
  // beside the CommonJS one that require.resolve gives.
  'chart.js': packageEntrySibling('chart.js', 'chart.js'),
  '@kurkle/color': packageEntrySibling('@kurkle/color', 'color.esm.js'),
};

export const PLAYGROUND_PATH = '/playground';
export const SAMPLE_PATH = '/sample/photo-board.jpg';

/**
 * The browser-facing routes: the one-page app at `/`, its assets, the sample photo, stored
 * image thumbnails and (unless `off`) the playground at `/playground` and at the GraphQL
 * path for browser navigations. Mount it before the GraphQL handler (server.ts routes only a POST
 * to the GraphQL path ahead of it): every request it does not answer — any GET of the GraphQL path
 * that does not prefer HTML — falls through. It must never answer a POST.
 * Files are read here, at start-up, so a missing asset stops the start rather than a page.
 */
export function createWebRouter(options: WebRouterOptions): Router {
  const { graphqlPath } = options;
  const router = Router();
  const assets = new AssetRegistry();
  const icon = assets.add('icon', join(OWN_ASSETS_DIR, 'icon.svg'));
  const sample = readFileSync(join(OWN_ASSETS_DIR, 'photo-board.jpg'));

  // main.js imports the page's other modules, graphql-ws's browser client (ESM, whose
  // dist/client.js imports a shared chunk) and Chart.js (ESM, which imports its helpers chunk
  // and @kurkle/color): all served as hashed modules, imports rewritten.
  const appModule = assets.addModule('app', join(OWN_ASSETS_DIR, 'main.js'), BROWSER_PACKAGES);

  const appHtml = renderAppPage({
    assets: {
      icon,
      appJs: appModule.url,
      appModules: appModule.imports,
      appCss: assets.add('app', join(OWN_ASSETS_DIR, 'app.css')),
    },
    graphqlPath,
    playgroundPath: options.playground === 'off' ? null : PLAYGROUND_PATH,
    samplePath: SAMPLE_PATH,
    emulated: options.emulated === true,
  });

  const playgroundHtml = playgroundPage(options, assets, icon);

  router.use('/assets', assets.handler());
  router.get('/', (_req, res) => sendPage(res, appHtml));
  router.get(SAMPLE_PATH, (_req, res) => {
    res.set({ 'Content-Type': 'image/jpeg', 'Cache-Control': 'public, max-age=86400' }).send(sample);
  });
  router.get('/images/:sha256', imageRoute(options.imageStore));

  if (playgroundHtml !== null) {
    const { html, csp } = playgroundHtml;
    router.get(PLAYGROUND_PATH, (_req, res) => sendPage(res, html, csp));
    router.get(graphqlPath, (req, res, next) => (prefersHtml(req) ? sendPage(res, html, csp) : next()));
  }
  return router;
}

/** A browser navigation: HTML preferred over every JSON type GraphQL clients ask for. */
function prefersHtml(req: Request): boolean {
  return req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

function playgroundPage(
  options: WebRouterOptions,
  assets: AssetRegistry,
  icon: string,
): { html: string; csp?: string } | null {
  switch (options.playground) {
    case 'off':
      return null;
    case 'sandbox':
      return {
        html: renderSandboxPage({
          graphqlPath: options.graphqlPath,
          document: historyExample(loadPageOperations()),
          headers: EXAMPLE_HEADERS,
        }),
        csp: SANDBOX_CSP,
      };
    case 'graphiql': {
      // The example sends a 360 px copy of the sample photo so its variables stay short.
      const smallSample = readFileSync(join(OWN_ASSETS_DIR, 'photo-board-360.jpg')).toString('base64');
      const html = renderPlaygroundPage({
        assets: {
          icon,
          react: assets.add('react', packageFile('react', 'umd/react.production.min.js')),
          reactDom: assets.add('react-dom', packageFile('react-dom', 'umd/react-dom.production.min.js')),
          graphiql: assets.add('graphiql', packageFile('graphiql', 'dist/index.umd.js')),
          graphiqlCss: assets.add('graphiql', packageFile('graphiql', 'dist/style.css')),
          playground: assets.add('playground', join(OWN_ASSETS_DIR, 'playground.js')),
          playgroundCss: assets.add('playground', join(OWN_ASSETS_DIR, 'playground.css')),
        },
        graphqlPath: options.graphqlPath,
        appPath: '/',
        tabs: playgroundTabs(loadPageOperations(), smallSample),
        headers: EXAMPLE_HEADERS,
      });
      return { html };
    }
    default: {
      const unknown: never = options.playground;
      throw new Error(`Unknown playground mode ${String(unknown)}`);
    }
  }
}
