/**
 * The app as `npm start` runs it, in a process of its own so its memory is measured apart from the
 * benchmark's: started by historyBench with the database URL as argument, driven over IPC.
 *
 *   → { type: 'ready', port, rss }           once listening
 *   ← 'reset'   → { type: 'reset', rss }     peak := current RSS (and the kernel's VmHWM is reset)
 *   ← 'report'  → { type: 'report', peakRss, rss, vmHwm, samples }
 *   ← 'stop'    → exits after stopping the app
 *
 * RSS is sampled every 10 ms (process.memoryUsage().rss); VmHWM from /proc is the kernel's own peak.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startApp } from '../../src/startApp.js';

export type ExportServerMessage =
  | { readonly type: 'ready'; readonly port: number; readonly rss: number }
  | { readonly type: 'reset'; readonly rss: number }
  | {
      readonly type: 'report';
      readonly peakRss: number;
      readonly rss: number;
      readonly vmHwm: number | undefined;
      readonly samples: number;
    };

function vmHwm(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

function resetVmHwm(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux, or not allowed: VmHWM then covers the whole process life.
  }
}

const send = (message: ExportServerMessage) => process.send?.(message);

const url = process.argv[2];
if (url === undefined || process.send === undefined) {
  throw new Error('exportServer is started by historyBench (fork with IPC) with a postgres:// URL');
}
const config = loadConfig(
  {
    DATABASE_URL: url,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    PLAYGROUND: 'off',
    // Export never calls the model: any endpoint will do.
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9',
  },
  process.cwd(),
);
const app = await startApp(config, {
  logger: pino({ level: 'silent' }),
  credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
});

let peakRss = process.memoryUsage().rss;
let samples = 0;
const sampler = setInterval(() => {
  const rss = process.memoryUsage().rss;
  samples++;
  if (rss > peakRss) peakRss = rss;
}, 10);

process.on('message', (message: unknown) => {
  if (message === 'reset') {
    resetVmHwm();
    peakRss = process.memoryUsage().rss;
    samples = 0;
    send({ type: 'reset', rss: peakRss });
  } else if (message === 'report') {
    const rss = process.memoryUsage().rss;
    send({ type: 'report', peakRss: Math.max(peakRss, rss), rss, vmHwm: vmHwm(), samples });
  } else if (message === 'stop') {
    clearInterval(sampler);
    void app.stop().then(() => process.exit(0));
  }
});
send({ type: 'ready', port: app.address.port, rss: process.memoryUsage().rss });
