// @ts-check
/** The hash router: `#/runs/<id>?tab=log` → the route whose pattern matches, its parameters and its query. */
import { useEffect, useState } from './html.js';

/**
 * @typedef {object} RouteMatch
 * @property {import('../routes.js').Route} route
 * @property {Record<string, string>} params the pattern's `:name` parts, decoded
 * @property {URLSearchParams} query what follows `?` in the fragment
 */

/** The fragment's path and query: `#/runs/a%2Fb?x=1` → { path: '/runs/a%2Fb', query }. @param {string} hash */
export function parseHash(hash) {
  const text = hash.replace(/^#/, '') || '/';
  const at = text.indexOf('?');
  return at < 0
    ? { path: text, query: new URLSearchParams() }
    : { path: text.slice(0, at) || '/', query: new URLSearchParams(text.slice(at + 1)) };
}

/**
 * The first route whose pattern matches the path (`/runs/:id` takes one part, `:id*` the rest), or undefined.
 * @param {readonly import('../routes.js').Route[]} routes
 * @param {string} hash
 * @returns {RouteMatch | undefined}
 */
export function matchRoute(routes, hash) {
  const { path, query } = parseHash(hash);
  for (const route of routes) {
    const names = /** @type {string[]} */ ([]);
    const source = route.path.replace(/:(\w+)(\*?)/g, (_, name, rest) => {
      names.push(name);
      return rest ? '(.+)' : '([^/]+)';
    });
    const match = new RegExp(`^${source}$`).exec(path);
    if (!match) continue;
    /** @type {Record<string, string>} */
    const params = {};
    names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1] ?? '')));
    return { route, params, query };
  }
  return undefined;
}

/** The current fragment, re-read on every `hashchange`. */
export function useHash() {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const onChange = () => setHash(location.hash || '#/');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

/** Goes to a fragment, e.g. `navigate('/', { state: 'failed' })`. @param {string} path @param {Record<string, string>} [query] */
export function navigate(path, query = {}) {
  const text = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '')).toString();
  location.hash = text ? `${path}?${text}` : path;
}
