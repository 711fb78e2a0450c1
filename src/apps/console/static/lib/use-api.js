// @ts-check
/** A page's data from one GET of the API: loaded when the path changes, reloaded after the page acts. */
import { useCallback, useEffect, useRef, useState } from './html.js';
import { api } from './api.js';

/**
 * @template T
 * @typedef {{ data: T | undefined, error: string, loading: boolean, reload: () => Promise<void> }} ApiData
 */

/**
 * GETs `path` (again whenever it changes); `reload` fetches it again, keeping what is shown until the answer comes.
 * An answer for a path no longer asked for is dropped.
 * @template T
 * @param {string} path
 * @returns {ApiData<T>}
 */
export function useApiGet(path) {
  const [state, setState] = useState(
    /** @type {{ path: string, data: T | undefined, error: string, loading: boolean }} */ ({
      path,
      data: undefined,
      error: '',
      loading: true,
    }),
  );
  const load = useCallback(async () => {
    setState((s) => ({ ...s, path, loading: true }));
    const result = await api('GET', path);
    setState((s) => {
      if (s.path !== path) return s;
      return result.ok
        ? { path, data: /** @type {T} */ (result.data), error: '', loading: false }
        : { path, data: s.data, error: result.data.error, loading: false };
    });
  }, [path]);
  useEffect(() => void load(), [load]);
  return { data: state.path === path ? state.data : undefined, error: state.error, loading: state.loading, reload: load };
}

/**
 * For a page that polls: answers are taken in the order their reads were sent. The function it returns wraps a read
 * and resolves to its answer, or to undefined when a later read's answer has already been taken (a slow answer would
 * bring back older data); a slow server's answers still all land, in order.
 * @returns {<T>(read: Promise<T>) => Promise<T | undefined>}
 */
export function useInOrder() {
  const sent = useRef(0);
  const taken = useRef(0);
  return useCallback(async (read) => {
    const number = ++sent.current;
    const answer = await read;
    if (number < taken.current) return undefined;
    taken.current = number;
    return answer;
  }, []);
}
