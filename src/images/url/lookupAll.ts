import { lookup } from 'node:dns/promises';
import type { ResolveHost } from './pinHost.js';

/**
 * The production resolver: the OS resolver (hosts file included, as a connection
 * would use), every address of both families, in the order the OS returned them.
 */
export const lookupAll: ResolveHost = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
};
