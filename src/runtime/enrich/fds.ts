import { createFd } from '../event/factory.js';
import type { FdInfo, FdType, L4Proto } from '../event/types.js';
import { ipv4Text, ipv6Text, mappedIpv4, ntohs } from './sockaddr.js';

/** Building fd descriptions for sockets from the numbers the sensor reports. */

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;

export function socketType(domain: number): FdType {
  if (domain === AF_INET) return 'ipv4';
  if (domain === AF_INET6) return 'ipv6';
  if (domain === AF_UNIX) return 'unix';
  if (domain === AF_NETLINK) return 'netlink';
  return 'unknown';
}

/** Transport of a socket from its type (SOCK_STREAM, SOCK_DGRAM...) and protocol. */
export function l4proto(type: number, proto: number): L4Proto | undefined {
  if (proto === 1 || proto === 58) return 'icmp';
  const base = type & 0xf;
  if (base === 1) return 'tcp';
  if (base === 2) return 'udp';
  if (base === 3) return 'raw';
  return undefined;
}

/** An IP endpoint: family, address text, port in host order. */
export interface Endpoint {
  readonly family: 'ipv4' | 'ipv6';
  readonly ip: string;
  readonly port: number;
}

/**
 * An endpoint from an address family and its words (one for IPv4, four for IPv6, as read
 * from memory) and a port; IPv4-mapped IPv6 addresses become IPv4, as libsinsp reports them.
 */
export function endpoint(family: number, words: readonly number[], port: number): Endpoint | undefined {
  if (family === AF_INET) return { family: 'ipv4', ip: ipv4Text(words[0] ?? 0), port };
  if (family === AF_INET6) {
    const v4 = mappedIpv4(words);
    return v4 === undefined
      ? { family: 'ipv6', ip: ipv6Text(words), port }
      : { family: 'ipv4', ip: ipv4Text(v4), port };
  }
  return undefined;
}

/** A port as stored in a sockaddr (network order) in host order. */
export const sockaddrPort = ntohs;

export function endpointText(e: Endpoint): string {
  return `${e.ip}:${e.port}`;
}

/** The fd of a connection: client and server ends, named `cip:cport->sip:sport` as in Falco. */
export function connectionFd(
  num: number,
  client: Endpoint,
  server: Endpoint,
  isServer: boolean,
  proto: L4Proto | undefined,
  connected: boolean,
): FdInfo {
  return createFd({
    num,
    type: client.family === 'ipv6' || server.family === 'ipv6' ? 'ipv6' : 'ipv4',
    name: `${endpointText(client)}->${endpointText(server)}`,
    l4proto: proto,
    cip: client.ip,
    cport: client.port,
    sip: server.ip,
    sport: server.port,
    isServer,
    connected,
  });
}
