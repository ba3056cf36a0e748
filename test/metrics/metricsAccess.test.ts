import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createAddressFilter } from '../../src/telemetry/index.js';

describe('Metrics: METRICS_ALLOW', () => {
  it('allows loopback only by default, IPv4 clients of a dual-stack socket included', () => {
    const allowed = createAddressFilter(loadConfig({}).metrics.allow);
    expect(allowed('127.0.0.1')).toBe(true);
    expect(allowed('::ffff:127.0.0.1')).toBe(true);
    expect(allowed('::1')).toBe(true);
    expect(allowed('10.0.0.7')).toBe(false);
    expect(allowed('::ffff:192.168.1.9')).toBe(false);
    expect(allowed('2001:db8::1')).toBe(false);
    expect(allowed(undefined)).toBe(false);
  });

  it('takes addresses and CIDR ranges of both families', () => {
    const allow = loadConfig({ METRICS_ALLOW: '10.0.0.0/8, 192.168.1.9 ,fd00::/8' }).metrics.allow;
    expect(allow).toEqual(['10.0.0.0/8', '192.168.1.9/32', 'fd00::/8']);
    const allowed = createAddressFilter(allow);
    expect(allowed('10.200.3.4')).toBe(true);
    expect(allowed('192.168.1.9')).toBe(true);
    expect(allowed('192.168.1.10')).toBe(false);
    expect(allowed('fd12::5')).toBe(true);
    expect(allowed('127.0.0.1')).toBe(false);
  });

  it('allows nobody when empty, and refuses what is not an address at start-up', () => {
    expect(createAddressFilter(loadConfig({ METRICS_ALLOW: '' }).metrics.allow)('127.0.0.1')).toBe(false);
    expect(() => loadConfig({ METRICS_ALLOW: 'localhost' })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_ALLOW: '10.0.0.0/33' })).toThrow(ConfigError);
  });
});
