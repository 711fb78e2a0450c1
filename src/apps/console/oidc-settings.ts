/**
 * Configuration of OIDC sign-in to the console (./oidc-sign-in): the identity provider's issuer, this console's
 * client id and secret (or a file holding it), and optionally the scopes, the name the sign-in button shows and
 * the redirect URI. All or nothing: the three required ones together, or none of them (then only tokens sign in).
 * Spread into Overture's one configuration schema; {@link readOidcSettings} checks the combination.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { isLoopbackHost } from './startup-checks';

/** Where the identity provider sends the browser back, under the console's URL. */
export const OIDC_CALLBACK_PATH = '/auth/oidc/callback';

/** An unset or blank variable is absent (an `OIDC_ISSUER=` line in an env file turns OIDC off, not on). */
const optionalText = (max: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().max(max).optional());

/** Why an issuer or redirect URL is refused, or undefined: https, or http on this machine only (a local test IdP). */
export function insecureUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return 'must be an https URL (http only on loopback): the sign-in exchanges codes and tokens with it';
}

const secureUrl = optionalText(2_000).superRefine((v, ctx) => {
  const problem = v === undefined ? undefined : insecureUrlProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** The variables of OIDC sign-in, validated with the rest of the configuration. */
export const OIDC_SETTINGS = {
  OIDC_ISSUER: secureUrl,
  OIDC_CLIENT_ID: optionalText(500),
  OIDC_CLIENT_SECRET: optionalText(4_000),
  OIDC_CLIENT_SECRET_FILE: optionalText(4_000),
  OIDC_SCOPES: optionalText(500).refine(
    (v) => v === undefined || v.split(/\s+/).includes('openid'),
    'must include openid (e.g. "openid email")',
  ),
  OIDC_PROVIDER_NAME: optionalText(60).refine(
    (v) => v === undefined || /^[\p{L}\p{N} ._()'-]+$/u.test(v),
    "letters, digits, spaces and . _ ( ) ' - only",
  ),
  OIDC_REDIRECT_URI: secureUrl,
};

type OidcInput = { [K in keyof typeof OIDC_SETTINGS]?: string };

/** OIDC sign-in as configured. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated; always with openid and email (the operator is found by the verified email). */
  scopes: string;
  /** Shown on the sign-in page: "Sign in with <providerName>". */
  providerName: string;
  /** OIDC_REDIRECT_URI, or undefined: then `<console URL>/auth/oidc/callback`. */
  redirectUri?: string;
}

/** The OIDC settings of a validated environment (undefined when OIDC is off), or the problems of a partial or bad set. */
export function readOidcSettings(raw: OidcInput): { settings?: OidcSettings; problems: string[] } {
  const required = {
    OIDC_ISSUER: raw.OIDC_ISSUER,
    OIDC_CLIENT_ID: raw.OIDC_CLIENT_ID,
    'OIDC_CLIENT_SECRET or OIDC_CLIENT_SECRET_FILE': raw.OIDC_CLIENT_SECRET ?? raw.OIDC_CLIENT_SECRET_FILE,
  };
  // Only the OIDC_* variables count (the whole configuration may be passed in).
  const given = Object.keys(OIDC_SETTINGS).filter((k) => raw[k as keyof OidcInput] !== undefined);
  if (given.length === 0) return { problems: [] };
  const missing = Object.entries(required)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length) {
    return {
      problems: [
        `OIDC sign-in is partly configured (${given.join(', ')} set): set ${missing.join(' and ')} too, or unset every OIDC_* variable`,
      ],
    };
  }
  if (raw.OIDC_CLIENT_SECRET !== undefined && raw.OIDC_CLIENT_SECRET_FILE !== undefined) {
    return { problems: ['OIDC_CLIENT_SECRET and OIDC_CLIENT_SECRET_FILE are both set: keep one'] };
  }
  let clientSecret = raw.OIDC_CLIENT_SECRET;
  if (clientSecret === undefined) {
    try {
      clientSecret = fs.readFileSync(raw.OIDC_CLIENT_SECRET_FILE!, 'utf8').trim();
    } catch (err) {
      return { problems: [`OIDC_CLIENT_SECRET_FILE cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
    }
    if (!clientSecret) return { problems: ['OIDC_CLIENT_SECRET_FILE is empty'] };
  }
  const issuer = raw.OIDC_ISSUER!;
  const scopes = new Set(['openid', 'email', ...(raw.OIDC_SCOPES ?? '').split(/\s+/).filter(Boolean)]);
  return {
    problems: [],
    settings: {
      issuer,
      clientId: raw.OIDC_CLIENT_ID!,
      clientSecret,
      scopes: [...scopes].join(' '),
      providerName: raw.OIDC_PROVIDER_NAME ?? new URL(issuer).hostname,
      ...(raw.OIDC_REDIRECT_URI ? { redirectUri: raw.OIDC_REDIRECT_URI } : {}),
    },
  };
}
