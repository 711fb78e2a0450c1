/**
 * A real OpenID Connect provider for tests (the `oidc-provider` package, ES modules only, hence a child process):
 * `node test/helpers/oidc-test-provider.mjs` with OIDC_TEST_CONFIG (JSON: { clientId, clientSecret, redirectUri,
 * accounts: { id: { email, email_verified } }, issuerHost?, interactive? }) listens on 127.0.0.1 (a free port) and prints one JSON line
 * `{ "issuer": "http://127.0.0.1:<port>" }` once ready.
 *
 * Its sign-in screen is replaced by one that signs in "the current user", set by the test with
 * `POST /test/sign-in-as?account=<id>`: the interaction finishes at once with that account and a grant of the
 * requested scopes. Everything else (authorization, PKCE, token endpoint, signed ID tokens, JWKS) is the package's.
 */
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.OIDC_TEST_CONFIG ?? '{}');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let currentAccount;

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
// issuerHost `localhost` puts the provider on another site than a console on 127.0.0.1, as a real IdP is (browser tests).
const issuer = `http://${settings.issuerHost ?? '127.0.0.1'}:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      redirect_uris: [settings.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' }] },
  cookies: { keys: ['oidc-test-cookie-key-0123456789abcdef'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // The scope's claims go into the ID token itself (the console reads no userinfo).
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = settings.accounts?.[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
});
const callback = provider.callback();

server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (req.method === 'POST' && url.pathname === '/test/sign-in-as') {
      currentAccount = url.searchParams.get('account') ?? undefined;
      res.writeHead(204).end();
      return;
    }
    // interactive: the sign-in screen is a page with a button, so the way back to the client starts from the
    // provider's own page (a cross-site navigation for the client), as with a real provider.
    if (settings.interactive && req.method === 'GET' && url.pathname.startsWith('/interaction/')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><html><body><form method="post" action="${url.pathname}"><button id="continue" type="submit">Continue as ${currentAccount}</button></form></body></html>`,
      );
      return;
    }
    if ((req.method === 'GET' || (settings.interactive && req.method === 'POST')) && url.pathname.startsWith('/interaction/')) {
      if (!currentAccount) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('no test user: POST /test/sign-in-as?account=<id> first');
        return;
      }
      const details = await provider.interactionDetails(req, res);
      const grant = new provider.Grant({ accountId: currentAccount, clientId: details.params.client_id });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: currentAccount }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    callback(req, res);
  } catch (err) {
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(err?.message ?? err));
  }
});

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
