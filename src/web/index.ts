/**
 * The browser-facing part: the one-page app at `/`, the offline GraphiQL playground,
 * the sample photo and stored-image thumbnails. Everything is served from this package
 * and its npm dependencies; no page loads anything from another host (except Apollo
 * Sandbox, which is only served when asked for with PLAYGROUND=sandbox).
 */
export { createWebRouter, PLAYGROUND_PATH, SAMPLE_PATH } from './createWebRouter.js';
export type { PlaygroundMode, WebRouterOptions } from './createWebRouter.js';
export type { WebImageStore } from './imageRoute.js';
