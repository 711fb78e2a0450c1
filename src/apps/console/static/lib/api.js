// @ts-check
/** The console API client: JSON calls with the session's CSRF token, and what is read once at start-up. */

/**
 * @typedef {import('../api-types').Session} Session
 * @typedef {import('../api-types').ProcessListing} ProcessListing
 * @typedef {import('../api-types').Vocabulary} Vocabulary
 */

/**
 * An API answer: `data` is the JSON body, or `{ error }` when the body was not JSON.
 * @template T
 * @typedef {{ ok: true, status: number, data: T } | { ok: false, status: number, data: import('../api-types').ApiError }} ApiResult
 */

/** The signed-in operator (GET /api/session), filled by `loadSession` before the first page. @type {Session} */
// Until the session loads, the least-privileged role: no page offers what it may not do.
export const session = { operator: '', role: /** @type {Session['role']} */ ('viewer'), csrfToken: '', demo: false };

/**
 * Calls the API; a signed-out browser goes to the login page.
 * @template T
 * @param {'GET' | 'POST'} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<ApiResult<T>>}
 */
export async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRF-Token'] = session.csrfToken;
  }
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    location.href = '/login';
    throw new Error('signed out');
  }
  let data;
  try {
    data = await response.json();
  } catch {
    data = { error: `HTTP ${response.status}` };
  }
  if (!response.ok && (typeof data !== 'object' || data === null || typeof data.error !== 'string'))
    data = { error: `HTTP ${response.status}` };
  return { ok: response.ok, status: response.status, data };
}

/** GET with a query string built from the defined, non-empty values. @param {string} path @param {Record<string, string | number | boolean | undefined>} params */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '' && value !== false) query.set(key, String(value));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** @type {ProcessListing[]} */
let processList = [];
/** @type {Vocabulary} */
let vocabularyNow = {
  escalationActions: [],
  skipAction: 'skip',
  endingChoices: [],
  approvalChoices: [],
  taskDone: 'done',
  faultChoices: ['none'],
  runStates: [],
};

/** The process registry (fixed while the console runs; the start form reads it again for fresh examples). */
export async function loadProcesses() {
  const result = await api('GET', '/api/processes');
  if (result.ok && Array.isArray(result.data)) processList = /** @type {ProcessListing[]} */ (result.data);
  return processList;
}

/** The registry as last read. */
export const processes = () => processList;

/** The kit's words (actions, fault choices, states), served from workflows/kit/vocabulary.ts. */
export async function loadVocabulary() {
  const result = await api('GET', '/api/vocabulary');
  if (result.ok && result.data && typeof result.data === 'object') vocabularyNow = /** @type {Vocabulary} */ (result.data);
  return vocabularyNow;
}

/** The vocabulary as last read. */
export const vocabulary = () => vocabularyNow;

/** Reads the session, the registry and the vocabulary; false when the session could not be read. */
export async function loadSession() {
  const [result] = await Promise.all([api('GET', '/api/session'), loadProcesses(), loadVocabulary()]);
  if (!result.ok) return false;
  Object.assign(session, result.data);
  session.demo = /** @type {Session} */ (result.data).demo === true;
  return true;
}

/** A process's title from the registry, or its name. @param {string} name */
export const processTitle = (name) => processList.find((p) => p.name === name)?.title ?? name;

/** The processes as a select's options (title shown, name sent); `startable` leaves out the internal ones. @param {{ startable?: boolean }} [opts] */
export const processOptions = ({ startable = false } = {}) =>
  processList.filter((p) => !startable || !p.internal).map((p) => ({ value: p.name, label: p.title }));
