/**
 * What the console refuses to start with: a weak operator token, and a plain-HTTP bind beyond loopback
 * without the explicit override CONSOLE_ALLOW_INSECURE_BIND=true. Pure functions, shared by loadConfig
 * (so `npm start` and `npm run console` exit 2 before anything starts) and startOperatorConsole.
 */
import ipaddr from 'ipaddr.js';

/** The shortest operator token accepted. A generated token has 32 characters. */
export const MIN_TOKEN_CHARS = 24;
/** The fewest distinct characters a token must have ("aaaa…", "1212…" are refused). */
export const MIN_TOKEN_DISTINCT_CHARS = 10;

/** Why the token is too weak to guard the console, or undefined when it is strong enough. */
export function weakTokenProblem(token: string): string | undefined {
  const value = token.trim();
  if (value.length < MIN_TOKEN_CHARS) {
    return `the operator token must be at least ${MIN_TOKEN_CHARS} characters (it has ${value.length}); e.g. openssl rand -base64 24`;
  }
  if (new Set(value).size < MIN_TOKEN_DISTINCT_CHARS) {
    return `the operator token must have at least ${MIN_TOKEN_DISTINCT_CHARS} different characters; use a random one, e.g. openssl rand -base64 24`;
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(value)).length;
  if (classes < 2) return 'the operator token must mix at least two kinds of characters (letters, digits, symbols); use a random one, e.g. openssl rand -base64 24';
  return undefined;
}

/** Whether a bind address only accepts connections from this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (!ipaddr.isValid(bare)) return false;
  return ipaddr.process(bare).range() === 'loopback';
}

/**
 * Why binding the console to `host` is refused, or undefined. The console speaks plain HTTP: beyond loopback
 * its token and session cookies would cross the network in clear, so that needs the override (behind a TLS proxy).
 */
export function insecureBindProblem(host: string, allowInsecure: boolean): string | undefined {
  if (isLoopbackHost(host) || allowInsecure) return undefined;
  return `CONSOLE_HOST=${host} would serve the console (its token and session cookies) in plain HTTP beyond this machine; bind it to 127.0.0.1 behind a TLS proxy, or set CONSOLE_ALLOW_INSECURE_BIND=true to accept that`;
}
