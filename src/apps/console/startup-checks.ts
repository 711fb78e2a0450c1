/**
 * What the console refuses to start with: a plain-HTTP bind beyond loopback without the explicit override
 * CONSOLE_ALLOW_INSECURE_BIND=true. Pure functions, shared by loadConfig (so `npm start` and `npm run console`
 * exit 2 before anything starts) and startOperatorConsole. (Operators' tokens are generated, 256 random bits:
 * there is no weak one to refuse.)
 */
import ipaddr from 'ipaddr.js';

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
  return `CONSOLE_HOST=${host} would serve the console (operators' tokens and session cookies) in plain HTTP beyond this machine; bind it to 127.0.0.1 behind a TLS proxy, or set CONSOLE_ALLOW_INSECURE_BIND=true to accept that`;
}
