import { describe, expect, it } from 'vitest';
import { isForbiddenAddress } from '../../../src/images/url/index.js';

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', 'IPv4 loopback'],
    ['127.255.255.254', 'the rest of 127/8'],
    ['10.1.2.3', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.255', 'private 172.16/12, top'],
    ['192.168.1.1', 'private 192.168/16'],
    ['169.254.169.254', 'link-local: the cloud metadata service'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['192.0.2.1', 'TEST-NET reserved'],
    ['240.0.0.1', 'class E reserved'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'IPv6 link-local with a zone'],
    ['fc00::1', 'unique-local fc00::/7'],
    ['fd12::1', 'unique-local fd00::/8'],
    ['fec0::1', 'deprecated site-local'],
    ['ff02::1', 'IPv6 multicast'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo (IPv4 part obfuscated)'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex spelling'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata service'],
    ['::127.0.0.1', 'IPv4-compatible loopback (ipaddr.js reads this spelling as IPv4-mapped)'],
    ['::7f00:1', 'IPv4-compatible loopback, as URL and DNS spell it'],
    ['::808:808', 'IPv4-compatible (deprecated, ::/96), even with a public IPv4'],
    ['64:ff9b::a00:1', 'NAT64 embedding 10.0.0.1'],
    ['64:ff9b::7f00:1', 'NAT64 embedding 127.0.0.1'],
    ['64:ff9b:1::a00:1', 'NAT64 local-use prefix'],
    ['2002:a00:1::', '6to4 embedding 10.0.0.1'],
    ['2002:7f00:1::1', '6to4 embedding 127.0.0.1'],
    ['[::1]', 'a bracketed IPv6 literal'],
    ['0x7f.1', 'an odd IPv4 spelling of loopback'],
    ['2130706433', 'loopback as one decimal number'],
    ['localhost', 'not an address at all (fails closed)'],
    ['', 'empty (fails closed)'],
  ])('forbids %s (%s)', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    ['93.184.216.34', 'public IPv4'],
    ['8.8.8.8', 'public IPv4'],
    ['2606:4700:4700::1111', 'public IPv6'],
    ['[2606:4700:4700::1111]', 'public IPv6, bracketed'],
    ['::ffff:8.8.8.8', 'IPv4-mapped public'],
    ['64:ff9b::808:808', 'NAT64 embedding 8.8.8.8'],
    ['2002:808:808::1', '6to4 embedding 8.8.8.8'],
  ])('allows %s (%s)', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });
});
