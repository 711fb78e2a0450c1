// @ts-check
/** A page's data from one GET of the API: loaded when the path changes, reloaded after the page acts. */
import { useCallback, useEffect, useState } from './html.js';
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
