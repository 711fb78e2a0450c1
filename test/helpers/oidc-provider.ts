/**
 * A real OpenID Connect provider for tests (./oidc-test-provider.mjs, in a child process), and a small user agent that
 * walks a console's OIDC sign-in through it by following redirects with one cookie jar per origin, as a browser does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export interface TestAccount {
  email: string;
  email_verified: boolean;
}

export interface TestOidcProvider {
  issuer: string;
  /** Who the provider signs in from now on (its sign-in screen signs in this account at once). */
  signInAs(account: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the provider with one static client; resolves once it listens. */
export async function startOidcProvider(settings: {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accounts: Record<string, TestAccount>;
  issuerHost?: string;
  interactive?: boolean;
}): Promise<TestOidcProvider> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'oidc-test-provider.mjs')], {
    env: { ...process.env, OIDC_TEST_CONFIG: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve((JSON.parse(line) as { issuer: string }).issuer));
    child.once('exit', (code) => reject(new Error(`the test OIDC provider exited (${code}): ${stderr}`)));
  });
  return {
    issuer,
    async signInAs(account) {
      const response = await fetch(`${issuer}/test/sign-in-as?account=${encodeURIComponent(account)}`, { method: 'POST' });
      if (response.status !== 204) throw new Error(`sign-in-as answered ${response.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

/** Cookies by origin, as Set-Cookie left them (paths are ignored: each test origin is one application). */
export class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();

  header(url: string): string {
    return [...(this.jars.get(new URL(url).origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  take(url: string, response: Response): void {
    const origin = new URL(url).origin;
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()),
      );
      if (expired) jar.delete(name);
      else jar.set(name, pair!.slice(eq + 1).trim());
    }
  }
}

/** A GET with the jar's cookies, not following redirects; the answer's cookies go into the jar. */
export async function get(jar: CookieJar, url: string): Promise<Response> {
  const cookie = jar.header(url);
  const response = await fetch(url, { redirect: 'manual', headers: cookie ? { Cookie: cookie } : {} });
  jar.take(url, response);
  return response;
}

/**
 * Clicks "Sign in with ..." on the console and follows the provider's redirects until the browser would go back
 * to the console's callback; returns that callback URL (not yet visited).
 */
export async function walkToCallback(jar: CookieJar, consoleUrl: string): Promise<string> {
  let url = `${consoleUrl}/auth/oidc/start`;
  for (let hop = 0; hop < 10; hop++) {
    const response = await get(jar, url);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new Error(`sign-in stopped at ${new URL(url).pathname} with ${response.status}: ${(await response.text()).slice(0, 300)}`);
    }
    url = new URL(location, url).href;
    if (url.startsWith(`${consoleUrl}/auth/oidc/callback`)) return url;
  }
  throw new Error('too many redirects');
}
