import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// A dependency of the dev tools (graphql-codegen, vite), already installed: a test may read YAML with it.
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../../src/config.js';

// Docker does not run on the development or CI machines: these files are read and checked, not run. What the
// image runs is checked by packedPackage.test.ts (the same package, installed the same way, started from dist/).

const file = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

interface ComposeService {
  build?: unknown;
  image?: string;
  init?: boolean;
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }> | string[];
  volumes?: string[];
  ports?: string[];
  healthcheck?: unknown;
}

const compose = parse(file('compose.yaml'), { merge: true }) as { services: Record<string, ComposeService> };
const dockerfile = file('Dockerfile');
/** The variables the AWS SDK reads itself (credentials), which config.ts leaves to it. */
const SDK_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/** The lines of the Dockerfile's last stage, where the image that runs is made. */
function runtimeStage(): string[] {
  const stages = dockerfile.split(/^FROM /m);
  return stages[stages.length - 1]!.split('\n');
}

describe('compose.yaml', () => {
  const apis = Object.entries(compose.services).filter(([name]) => /^api-\d+$/.test(name));

  it('runs PostgreSQL, Redis, two API replicas of one image and a reverse proxy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api-1', 'api-2', 'postgres', 'proxy', 'redis']);
    expect(new Set(apis.map(([, s]) => s.image)).size).toBe(1);
    for (const [, api] of apis) {
      expect(api.build).toBe('.');
      expect(api.init).toBe(true);
      expect(api.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
      expect(api.environment?.NODE_ENV).toBe('production');
      expect(new URL(api.environment!.DATABASE_URL!).hostname).toBe('postgres');
      expect(new URL(api.environment!.REDIS_URL!).hostname).toBe('redis');
    }
    expect(compose.services.postgres!.healthcheck).toBeDefined();
    expect(compose.services.redis!.healthcheck).toBeDefined();
  });

  it('sets only variables the server or the AWS SDK reads', () => {
    for (const [, api] of apis) {
      const unknown = Object.keys(api.environment ?? {}).filter(
        (name) => !CONFIG_VARIABLES.includes(name) && !SDK_VARIABLES.includes(name),
      );
      expect(unknown).toEqual([]);
    }
  });

  it('puts the proxy in front of every replica, on the port the image listens on', () => {
    const proxy = compose.services.proxy!;
    const [mount] = proxy.volumes!;
    const [source] = mount!.split(':');
    expect(existsSync(new URL(`../../${source}`, import.meta.url))).toBe(true);
    const caddyfile = file(source!.replace(/^\.\//, ''));
    const port = /^ENV[\s\S]*?\bPORT=(\d+)/m.exec(runtimeStage().join('\n'))?.[1];
    expect(port).toBe('4000');
    const upstreams = /reverse_proxy ([^{]+)\{/.exec(caddyfile)?.[1]?.trim().split(/\s+/);
    expect(upstreams).toEqual(apis.map(([name]) => `${name}:${port}`));
    expect(caddyfile).toMatch(/health_uri \/readyz/);
    expect(caddyfile).toMatch(/respond \/metrics 404/);
    expect(proxy.depends_on).toEqual(apis.map(([name]) => name));
  });
});

describe('Dockerfile', () => {
  it('builds in stages and runs the production dependencies only, as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const runtime = runtimeStage();
    expect(runtime.filter((l) => l.startsWith('USER '))).toEqual(['USER node']);
    expect(runtime.some((l) => /^COPY --from=production-deps \/app\/node_modules/.test(l))).toBe(true);
    expect(runtime.some((l) => /^COPY --from=build .*node_modules/.test(l))).toBe(false);
  });

  it('checks /readyz and runs node itself, so SIGTERM reaches the server', () => {
    const runtime = runtimeStage().join('\n');
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*\/readyz/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/main\.js"\]$/m);
    expect(runtime).not.toMatch(/^CMD .*npm/m);
  });

  it('leaves what the machine built out of the build context', () => {
    const ignored = file('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'dist', 'data', '.git']) expect(ignored).toContain(entry);
  });
});
