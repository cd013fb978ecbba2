/**
 * What kind of IP address a webhook may reach: public unicast passes, loopback is the caller's call
 * (local development), everything else is refused with the reason. Kept apart from the SSRF guard
 * so that ipaddr.js loads with the first address classified, not with every function that imports
 * the guard (the API's cold start).
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

export type AddressVerdict = { kind: 'public' } | { kind: 'loopback' } | { kind: 'refused'; reason: string };

const IPV4_REASONS: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT (100.64.0.0/10) address',
  private: 'a private address',
  reserved: 'a reserved or documentation address',
};

const IPV6_REASONS: Record<string, string> = {
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique local (fc00::/7) address',
  reserved: 'a reserved or documentation address',
  rfc6145: 'an IPv4-translated address',
  teredo: 'a Teredo tunnel address',
};

const METADATA_ADDRESSES = [ipaddr.parse('169.254.169.254'), ipaddr.parse('fd00:ec2::254')];
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/** Classifies one IP address string; only public unicast (and loopback, for the caller to judge) pass. */
export function classifyAddress(address: string): AddressVerdict {
  if (isIP(address) === 0) return { kind: 'refused', reason: 'not a valid IP address' };
  const ip = ipaddr.parse(address);
  return ip.kind() === 'ipv4' ? classifyV4(ip as IPv4) : classifyV6(ip as IPv6);
}

function classifyV4(ip: IPv4): AddressVerdict {
  if (isMetadata(ip)) return { kind: 'refused', reason: 'a cloud metadata address' };
  const range = ip.range();
  if (range === 'unicast') return { kind: 'public' };
  if (range === 'loopback') return { kind: 'loopback' };
  return { kind: 'refused', reason: IPV4_REASONS[range] ?? `a special-purpose (${range}) address` };
}

function classifyV6(ip: IPv6): AddressVerdict {
  if (isMetadata(ip)) return { kind: 'refused', reason: 'a cloud metadata address' };
  if (ip.isIPv4MappedAddress()) return embedded('the IPv4-mapped form of', ip.toIPv4Address(), true);

  const range = ip.range();
  if (range === 'loopback') return { kind: 'loopback' };
  // Translation prefixes are refused outright: a legitimate receiver has a native address, and what the
  // embedded IPv4 reaches depends on gateways we cannot see.
  if (range === 'rfc6052') return embedded('a NAT64 form of', v4FromParts(ip.parts[6]!, ip.parts[7]!), false);
  if (range === '6to4') return embedded('a 6to4 form of', v4FromParts(ip.parts[1]!, ip.parts[2]!), false);
  if (range !== 'unicast') {
    return { kind: 'refused', reason: IPV6_REASONS[range] ?? `a special-purpose (${range}) address` };
  }
  // ipaddr.js calls anything unlisted "unicast", including the deprecated IPv4-compatible ::a.b.c.d.
  if (!ip.match(GLOBAL_UNICAST_V6)) return { kind: 'refused', reason: 'outside global unicast (2000::/3)' };
  return { kind: 'public' };
}

/** Judges an IPv4 address wrapped in IPv6; `passThrough` lets a mapped address be judged as its IPv4. */
function embedded(form: string, inner: IPv4, passThrough: boolean): AddressVerdict {
  const verdict = classifyV4(inner);
  if (passThrough && verdict.kind !== 'refused') return verdict;
  const why =
    verdict.kind === 'refused'
      ? `, ${verdict.reason}`
      : verdict.kind === 'loopback'
        ? ', a loopback address'
        : ' (IPv6 translation prefixes are not allowed)';
  return { kind: 'refused', reason: `${form} ${inner.toString()}${why}` };
}

function v4FromParts(high: number, low: number): IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function isMetadata(ip: IPv4 | IPv6): boolean {
  return METADATA_ADDRESSES.some(
    (candidate) =>
      candidate.kind() === ip.kind() && candidate.toNormalizedString() === ip.toNormalizedString(),
  );
}
