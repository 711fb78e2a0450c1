/**
 * Who a console client is, as its limits count them: the socket's address (X-Forwarded-For is not trusted). An
 * IPv4 address (IPv4-mapped IPv6 included) is one source, each 127.x loopback address its own; an IPv6 address
 * counts by its /64, the block one host or home is usually given, so one host cannot pass for 2^64 clients.
 */
import net from 'node:net';

/** The eight 16-bit groups of an IPv6 address, as lowercase hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  // A dotted IPv4 tail (`64:ff9b::192.0.2.1`) is the last two groups.
  const dotted = (group: string) => {
    const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
    return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
  };
  const part = (text: string) => (text ? text.split(':').flatMap((g) => (g.includes('.') ? dotted(g) : [g])) : []);
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right].map((g) => parseInt(g, 16).toString(16));
}

/** The source a socket address counts as: `203.0.113.7`, or `2001:db8:1:2::/64` for any address of that block. */
export function sourceOf(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!net.isIPv6(address)) return address;
  const unscoped = address.split('%')[0]!;
  return `${ipv6Groups(unscoped).slice(0, 4).join(':')}::/64`;
}
