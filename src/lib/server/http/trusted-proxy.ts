/**
 * Who is asking, behind a reverse proxy: `X-Forwarded-For` and `X-Forwarded-Proto` count only when the connection
 * comes from an address listed in KIKO_TRUST_PROXY (addresses or CIDR ranges). Anyone else could write those
 * headers themselves, so for them the peer address and the connection's own protocol are used.
 * The client address is the right-most X-Forwarded-For entry that is not itself a trusted proxy
 * (https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/X-Forwarded-For#selecting_an_ip_address).
 */
import { BlockList, isIP } from 'node:net';

/** The trusted proxies of this installation. */
export interface TrustedProxies {
  has(address: string): boolean;
}

/** "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) → "10.0.0.1". */
function plain(address: string): string {
  const a = address.trim();
  return a.toLowerCase().startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/** Why one entry of KIKO_TRUST_PROXY is not usable, or null. */
export function trustedProxyProblem(entry: string): string | null {
  const [address, bits, extra] = entry.trim().split('/');
  const family = isIP(address ?? '');
  if (!family || extra !== undefined) return `„${entry}“ ist keine IP-Adresse und kein CIDR-Bereich`;
  if (bits === undefined) return null;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128) ? null : `„${entry}“: ungültige Präfixlänge`;
}

/** Parses KIKO_TRUST_PROXY ("10.0.0.1, 192.168.0.0/16, fd00::/8"); throws on an invalid entry. */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const list = new BlockList();
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const problem = trustedProxyProblem(entry);
    if (problem) throw new Error(problem);
    const [address = '', bits] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return {
    has(address: string): boolean {
      if (entries.length === 0) return false;
      const a = plain(address);
      const family = isIP(a);
      return family !== 0 && list.check(a, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** The client as KIKO sees it. */
export interface ClientInfo {
  /** Address of the person's browser (or of the last untrusted hop). */
  ip: string;
  /** Whether the browser reached KIKO over https (at the proxy, or directly). */
  secure: boolean;
}

/** Client address and protocol from the peer and, only for a trusted peer, the forwarding headers. */
export function resolveClient(
  peer: string,
  headers: { get(name: string): string | null },
  ownProtocol: 'http:' | 'https:' | string,
  trusted: TrustedProxies,
): ClientInfo {
  const direct = { ip: plain(peer), secure: ownProtocol === 'https:' };
  if (!trusted.has(peer)) return direct;
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((h) => plain(h))
    .filter((h) => isIP(h) !== 0);
  let ip = direct.ip;
  for (let i = hops.length - 1; i >= 0; i--) {
    ip = hops[i] as string;
    if (!trusted.has(ip)) break;
  }
  const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return { ip, secure: proto === 'https' || (proto === undefined && direct.secure) };
}
