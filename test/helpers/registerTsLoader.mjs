// `node --import <this file> src/main.ts`: see tsLoaderHooks.mjs.
import { register } from 'node:module';

register('./tsLoaderHooks.mjs', import.meta.url);
