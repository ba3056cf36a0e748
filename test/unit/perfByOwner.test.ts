import { describe, expect, it } from 'vitest';
import { createOwnerTally, groupOf, ownerOfFrame } from '../../bench/overhead/perfByOwner.js';

// Three samples as `perf script -F ip,sym,dso` prints them, leaf first, a blank line after each.
const PERF_SCRIPT = `
\tffffffff8206e58b tcp_sendmsg ([kernel.kallsyms])
\t           fde9d __GI___writev (/usr/lib/x86_64-linux-gnu/libc.so.6)
\t    7f847037502a JS:*clearBuffer node:internal/streams/writable:744:21 (/tmp/perf-1.map)
\t    7f84703a4232 JS:*_pulseQueryQueue /work/main/node_modules/pg/lib/client.js:616:19 (/tmp/perf-1.map)
\t    7f847043481f JS:* file:///work/main/dist/src/store/queryWithReadTimeout.js:14:22 (/tmp/perf-1.map)

\t         14d1546 Builtins_KeyedLoadIC_Megamorphic (/usr/bin/node)
\t    7f8470500000 JS:~writeStruct /work/main/node_modules/@smithy/core/dist-cjs/submodules/protocols/index.js:2351:16 (/tmp/perf-1.map)

\t         14d1546 Builtins_FulfillPromise (/usr/bin/node)
\t    7f8470500100 JS:*processTicksAndRejections node:internal/process/task_queues:67:35 (/tmp/perf-1.map)
`;

describe('perfByOwner', () => {
  it('charges a system call and Node internals to the nearest package frame', () => {
    const tally = createOwnerTally();
    for (const line of PERF_SCRIPT.split('\n')) tally.line(line);
    const { samples, byOwner } = tally.result();
    expect(samples).toBe(3);
    expect(byOwner.get('pg')).toBe(1);
    expect(byOwner.get('@smithy/core')).toBe(1);
    expect(byOwner.get(undefined)).toBe(1);
    expect(byOwner.has('src/store')).toBe(false);
  });

  it('names scoped packages and app folders, and nothing for Node or V8 frames', () => {
    expect(ownerOfFrame('JS:*x /a/node_modules/@aws-sdk/core/dist-cjs/index.js:1:1')).toBe('@aws-sdk/core');
    expect(ownerOfFrame('JS:^start file:///w/dist/src/describe/createDescribeImage.js:51:25')).toBe('src/describe');
    expect(ownerOfFrame('JS:* file:///w/dist/src/store/queryWithReadTimeout.js:14:22')).toBe('src/store');
    expect(ownerOfFrame('JS:*get size /w/node_modules/lru-cache/dist/index.js:9:1')).toBe('lru-cache');
    expect(ownerOfFrame('JS:~ file:///home/me/src/app/dist/src/bedrock/x.js:1:1')).toBe('src/bedrock');
    expect(ownerOfFrame('JS:*contextFor file:///w/dist/src/server.js:120:3')).toBe('src/(root)');
    expect(ownerOfFrame('JS:*emit node:events:470:1')).toBeUndefined();
    expect(ownerOfFrame('Builtins_LoadIC')).toBeUndefined();
  });

  it('groups owners by what they do', () => {
    expect(groupOf('@smithy/node-http-handler')).toMatch(/AWS SDK/);
    expect(groupOf('src/bedrock')).toMatch(/AWS SDK/);
    expect(groupOf('@as-integrations/express5')).toMatch(/HTTP server/);
    expect(groupOf('pg-protocol')).toMatch(/node-postgres/);
    expect(groupOf('src/graphql')).toMatch(/GraphQL/);
    expect(groupOf('src/store')).toMatch(/the app/);
    expect(groupOf('src/telemetry')).toMatch(/metrics, logs, tracing/);
    expect(groupOf('path-to-regexp')).toMatch(/HTTP server/);
    expect(groupOf('@aws/lambda-invoke-store')).toMatch(/AWS SDK/);
    expect(groupOf(undefined)).toMatch(/no package or app frame/);
    expect(groupOf('left-pad')).toBe('other: left-pad');
  });
});
