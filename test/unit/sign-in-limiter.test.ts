/**
 * The limiter of wrong credentials on its own, with a hand-turned clock: locks per source (each 127.x its own, an
 * IPv6 /64 as one), doubling up to an hour; never a lock of everyone; under pressure from many sources a source
 * is locked at its first failure; a proven credential passes a locked source. (The console under these attacks,
 * over HTTP: test/e2e/console-abuse.test.ts.)
 */
import { createSignInLimiter } from '../../src/apps/console/sign-in-limiter';
import { sourceOf } from '../../src/apps/console/client-source';

function limiter(limits = { perAddress: 5, global: 100 }) {
  let t = 1_000_000;
  const lines: string[] = [];
  const it = createSignInLimiter(
    limits,
    (line) => lines.push(line),
    () => t,
  );
  return { it, lines, advance: (ms: number) => (t += ms) };
}

describe('sourceOf', () => {
  it('counts IPv4 addresses each on its own, IPv4-mapped ones as IPv4, and IPv6 by /64', () => {
    expect(sourceOf('127.0.0.2')).toBe('127.0.0.2');
    expect(sourceOf('127.0.0.3')).toBe('127.0.0.3');
    expect(sourceOf('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(sourceOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceOf('1::2:3:4:5:192.0.2.1')).toBe('1:0:2:3::/64');
    expect(sourceOf('::1')).toBe('0:0:0:0::/64');
    expect(sourceOf(undefined)).toBe('unknown');
  });
});

describe('the sign-in limiter', () => {
  it('locks a source after 5 failures in a minute, for 60 s then twice as long each time, at most an hour', () => {
    const { it: l, lines, advance } = limiter();
    const lockOnce = () => {
      for (let i = 0; i < 5; i += 1) l.failed('127.0.0.2');
    };
    lockOnce();
    expect(l.retryAfter('127.0.0.2')).toBe(60);
    expect(l.retryAfter('127.0.0.3')).toBeUndefined();
    const waits: number[] = [];
    for (let n = 0; n < 7; n += 1) {
      advance(l.retryAfter('127.0.0.2')! * 1000);
      expect(l.retryAfter('127.0.0.2')).toBeUndefined();
      lockOnce();
      waits.push(l.retryAfter('127.0.0.2')!);
    }
    expect(waits).toEqual([120, 240, 480, 960, 1920, 3600, 3600]);
    expect(lines).toContain('locked sign-ins from 127.0.0.2 for 60 s after 5 wrong tokens within a minute');
  });

  it('never locks everyone: 110 failures from 22 sources lock those 22, and a 23rd source is free', () => {
    const { it: l, lines } = limiter();
    const attackers = Array.from({ length: 22 }, (_, i) => `127.0.0.${i + 2}`);
    for (let round = 0; round < 5; round += 1) for (const a of attackers) l.failed(a);
    expect(attackers.filter((a) => l.retryAfter(a) === undefined)).toEqual([]);
    expect(l.retryAfter('127.0.0.1')).toBeUndefined();
    expect(l.retryAfter('127.0.0.24')).toBeUndefined();
    expect(lines.filter((line) => line.includes('every'))).toEqual([]);
  });

  it('past the failures from all sources together, locks a source at its first failure; a source without one stays free', () => {
    const { it: l, lines, advance } = limiter({ perAddress: 5, global: 10 });
    for (let i = 0; i < 10; i += 1) l.failed(`10.0.0.${i}`);
    expect(lines).toContain(
      '10 wrong tokens within a minute from all addresses: each address is locked at its first (addresses without one are not)',
    );
    // The 10th came under pressure: locked at once; the others each had one, below their own limit.
    expect(l.retryAfter('10.0.0.9')).toBe(60);
    expect(l.retryAfter('10.0.0.0')).toBeUndefined();
    l.failed('10.0.0.50');
    expect(l.retryAfter('10.0.0.50')).toBe(60);
    expect(lines).toContain(
      'locked sign-ins from 10.0.0.50 for 60 s after 1 wrong token within a minute, while many come from all addresses',
    );
    expect(l.retryAfter('10.0.0.51')).toBeUndefined();
    // A quiet minute ends the pressure: a source has its own five again.
    advance(61_000);
    for (let i = 0; i < 4; i += 1) l.failed('10.0.0.60');
    expect(l.retryAfter('10.0.0.60')).toBeUndefined();
  });

  it('lets a proven credential through a locked source, and only that one; a bearer call does not forget the failures', () => {
    const { it: l } = limiter();
    l.succeeded('127.0.0.1', 'hash-of-admin-token');
    for (let i = 0; i < 4; i += 1) l.failed('127.0.0.1');
    l.proved('hash-of-script-token');
    l.failed('127.0.0.1');
    expect(l.retryAfter('127.0.0.1')).toBe(60);
    expect(l.retryAfter('127.0.0.1', 'hash-of-admin-token')).toBeUndefined();
    expect(l.retryAfter('127.0.0.1', 'hash-of-script-token')).toBeUndefined();
    expect(l.retryAfter('127.0.0.1', 'hash-of-a-guess')).toBe(60);
    // A sign-in does not lift a lock either (it runs its course); before one, it forgets the failures.
    l.succeeded('127.0.0.1', 'hash-of-admin-token');
    expect(l.retryAfter('127.0.0.1')).toBe(60);
    for (let i = 0; i < 4; i += 1) l.failed('127.0.0.2');
    l.succeeded('127.0.0.2');
    l.failed('127.0.0.2');
    expect(l.retryAfter('127.0.0.2')).toBeUndefined();
  });

  it('counts an IPv6 /64 as one source', () => {
    const { it: l } = limiter();
    for (let i = 1; i <= 5; i += 1) l.failed(`2001:db8:1:2::${i}`);
    expect(l.retryAfter('2001:db8:1:2::99')).toBe(60);
    expect(l.retryAfter('2001:db8:1:3::1')).toBeUndefined();
  });
});
