/**
 * The link checker's address policy against real local HTTP servers: only allow-listed hosts are contacted,
 * never a private, loopback, link-local or unspecified address (except the stack's own site origin), the
 * connection goes to the address that was vetted (no second DNS answer), redirects stay on their host.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkDraftLinks } from '../../../activities/content-publishing/link-checks';
import { vetLink, type LinkPolicy } from '../../../activities/content-publishing/link-policy';
import { probeLink } from '../../../activities/content-publishing/link-probe';

interface TestServer {
  port: number;
  requests: Array<{ method?: string; url?: string; host?: string }>;
  close(): Promise<void>;
}

/** A local server with a few pages: /ok, /missing (404), /head-refused (405 on HEAD), /slow (never answers), redirects. */
async function startServer(routes: Record<string, (res: http.ServerResponse, port: number) => void> = {}): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, host: req.headers.host });
    const route = routes[req.url ?? ''];
    if (route) return route(res, port);
    if (req.url === '/ok') return res.writeHead(200).end('ok');
    if (req.url === '/head-refused') return res.writeHead(req.method === 'HEAD' ? 405 : 200).end();
    if (req.url === '/slow') return; // never answers
    if (req.url === '/to-ok') return res.writeHead(302, { location: '/ok' }).end();
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let site: TestServer;
let other: TestServer;
let policy: LinkPolicy;

beforeAll(async () => {
  other = await startServer();
  site = await startServer({
    '/to-other-port': (res) => res.writeHead(302, { location: `http://127.0.0.1:${other.port}/ok` }).end(),
    '/to-other-host': (res) => res.writeHead(301, { location: `http://localhost:${other.port}/ok` }).end(),
  });
  policy = { allowedHosts: [`127.0.0.1:${site.port}`], siteOrigin: `http://127.0.0.1:${site.port}` };
});
afterAll(async () => {
  await site.close();
  await other.close();
});

const probe = (url: string, p: LinkPolicy = policy, timeoutMs = 2_000) => probeLink(new URL(url), p, timeoutMs);

describe('links to the stack’s own site', () => {
  it('passes a page that answers, and reports one that does not', async () => {
    expect(await probe(`http://127.0.0.1:${site.port}/ok`)).toBeUndefined();
    expect(await probe(`http://127.0.0.1:${site.port}/missing`)).toBe('broken: HTTP 404');
    expect(site.requests.find((r) => r.url === '/ok')?.method).toBe('HEAD');
  });

  it('asks with GET when the server refuses HEAD, and follows a redirect on the same origin', async () => {
    expect(await probe(`http://127.0.0.1:${site.port}/head-refused`)).toBeUndefined();
    expect(site.requests.filter((r) => r.url === '/head-refused').map((r) => r.method)).toEqual(['HEAD', 'GET']);
    expect(await probe(`http://127.0.0.1:${site.port}/to-ok`)).toBeUndefined();
  });

  it('gives up after the timeout', async () => {
    expect(await probe(`http://127.0.0.1:${site.port}/slow`, policy, 300)).toBe('unreachable: timed out after 300 ms');
  });
});

describe('the address policy', () => {
  it('never contacts a host that is not on the allow-list, and does not even resolve it', async () => {
    const resolve = jest.fn(async () => ['93.184.216.34']);
    expect(await probe('http://example.com/', { ...policy, resolve })).toBe('not checked: host not on the allow-list');
    expect(resolve).not.toHaveBeenCalled();
  });

  it('refuses a loopback address that is not exactly the site origin, even when allow-listed', async () => {
    const allowed = { ...policy, allowedHosts: [...policy.allowedHosts, `127.0.0.1:${other.port}`, `localhost:${site.port}`] };
    expect(await probe(`http://127.0.0.1:${other.port}/ok`, allowed)).toMatch(
      /is at a loopback address, which the link checker never contacts/,
    );
    // The same server under another name is not the site origin either.
    expect(await probe(`http://localhost:${site.port}/ok`, { ...allowed, resolve: async () => ['127.0.0.1'] })).toMatch(/loopback address/);
    // Nor is another scheme on the site's host and port.
    expect(await probe(`https://127.0.0.1:${site.port}/ok`, allowed)).toMatch(/loopback address/);
    expect(other.requests).toHaveLength(0);
  });

  it.each([
    ['private', 'http://10.0.0.1/'],
    ['private', 'http://192.168.1.10:8080/admin'],
    ['linkLocal', 'http://169.254.169.254/latest/meta-data'],
    ['unspecified', 'http://0.0.0.0/'],
    ['loopback', 'http://[::1]/'],
    ['loopback', 'http://[::ffff:127.0.0.1]/'],
    ['linkLocal', 'http://[fe80::1]/'],
    ['uniqueLocal', 'http://[fd00::1]/'],
    ['carrierGradeNat', 'http://100.64.0.1/'],
  ])('refuses a %s address (%s) even when allow-listed', async (range, link) => {
    const url = new URL(link);
    const vetted = await vetLink(url, { ...policy, allowedHosts: [url.host] });
    expect(vetted).toEqual({
      allowed: false,
      finding: `not checked: ${url.hostname} is at a ${range} address, which the link checker never contacts`,
    });
  });

  it('refuses a name that resolves to a private address (DNS rebinding), or to a mix of public and private', async () => {
    const rebinding = { ...policy, allowedHosts: ['news.example'], resolve: async () => ['127.0.0.1'] };
    expect(await probe('http://news.example/', rebinding)).toMatch(/news\.example is at a loopback address/);
    const mixed = { ...rebinding, resolve: async () => ['93.184.216.34', '10.1.2.3'] };
    expect(await probe('http://news.example/', mixed)).toMatch(/is at a private address/);
  });

  it('connects to the address it vetted, never asking DNS again', async () => {
    // `own.test` is unknown to the system resolver: the request can only reach the site through the vetted address.
    const resolve = jest.fn(async () => ['127.0.0.1']);
    const named = { allowedHosts: [], siteOrigin: `http://own.test:${site.port}`, resolve };
    expect(await probe(`http://own.test:${site.port}/ok`, named)).toBeUndefined();
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(site.requests.at(-1)).toMatchObject({ url: '/ok', host: `own.test:${site.port}` });
  });

  it('follows no redirect to another host, and vets a redirect to another port like a new link', async () => {
    expect(await probe(`http://127.0.0.1:${site.port}/to-other-host`)).toBe(
      `not checked: redirects to another host (localhost:${other.port}), not followed`,
    );
    expect(await probe(`http://127.0.0.1:${site.port}/to-other-port`)).toBe(
      `redirects to http://127.0.0.1:${other.port}/ok, not checked: host not on the allow-list`,
    );
    expect(other.requests).toHaveLength(0);
  });
});

describe('checking a draft', () => {
  it('checks each distinct URL once, resolves relative links against the page, and skips mail and inline images', async () => {
    site.requests.length = 0;
    const body = [
      `[home](/ok) and [again](http://127.0.0.1:${site.port}/ok#top) and [gone](missing)`,
      '[write to us](mailto:desk@example.com) and [outside](https://example.org/page)',
      '![a pixel](data:image/png;base64,iVBORw0KGgo=)',
    ].join('\n\n');
    const report = await checkDraftLinks(body, `http://127.0.0.1:${site.port}/post.html`, { policy, timeoutMs: 2_000 });
    expect(report.checked).toBe(3);
    expect(report.passed).toBe(false);
    expect(report.findings).toEqual([
      `link http://127.0.0.1:${site.port}/missing: broken: HTTP 404`,
      'link https://example.org/page: not checked: host not on the allow-list',
    ]);
    expect(site.requests.filter((r) => r.url === '/ok')).toHaveLength(1);
  });

  it('fails a draft with more links than it may check, contacting none', async () => {
    site.requests.length = 0;
    const body = Array.from({ length: 5 }, (_, i) => `[p${i}](/page-${i})`).join(' ');
    const report = await checkDraftLinks(body, `http://127.0.0.1:${site.port}/post.html`, { policy, timeoutMs: 2_000, maxLinks: 4 });
    expect(report).toMatchObject({ passed: false, checked: 0, findings: ['too many links to check: 5 distinct URLs, at most 4'] });
    expect(site.requests).toHaveLength(0);
  });
});
