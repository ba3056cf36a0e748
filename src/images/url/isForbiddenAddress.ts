import ipaddr from 'ipaddr.js';

// IANA allocates global unicast IPv6 only from 2000::/3; everything outside it is
// special-purpose or unallocated, so it is refused rather than enumerated. That covers
// IPv4-compatible ::/96 as URLs, DNS and sockets spell it (::7f00:1); ipaddr.js reads
// the dotted spelling ::127.0.0.1 as IPv4-mapped, which is judged by its IPv4 part.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
// NAT64 well-known prefix: the last 32 bits are the IPv4 address reached.
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/**
 * True when a fetch must not connect to `address`: anything that is not public
 * unicast (loopback, private, link-local such as the cloud metadata service
 * 169.254.169.254, unique-local, CGNAT, multicast, reserved, …). IPv6 forms that
 * carry an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged by that IPv4 address,
 * so `::ffff:127.0.0.1` cannot slip past; forms whose IPv4 part is obfuscated or
 * deprecated (Teredo, IPv4-compatible `::a.b.c.d`, NAT64 local-use) are refused.
 * Unparseable input is refused: the check fails closed.
 */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return true;
  return !isPublic(ipaddr.parse(bare));
}

function isPublic(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (address.kind() === 'ipv4') return address.range() === 'unicast';
  const v6 = address as ipaddr.IPv6;
  switch (v6.range()) {
    case 'ipv4Mapped':
      return isPublic(v6.toIPv4Address());
    case 'rfc6052':
      return v6.match(NAT64_WELL_KNOWN) && isPublic(embeddedV4(v6.parts[6]!, v6.parts[7]!));
    case '6to4':
      return isPublic(embeddedV4(v6.parts[1]!, v6.parts[2]!));
    case 'unicast':
      return v6.match(GLOBAL_UNICAST_V6);
    default:
      return false;
  }
}

function embeddedV4(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}
