// @ts-check
/**
 * Live updates from the console's server-sent events: the `runs` feed every page shares (the header's counters)
 * and a page's own stream (one run). The console may end a stream to make room for the same operator's newer ones;
 * it says so with a `replaced` event, and the page stops there (with a note) rather than reconnect into a tug of war
 * with its tabs.
 */
import { useEffect, useRef } from './html.js';

/** @typedef {{ runs: import('../api-types').RunRow[], counters: import('../api-types').Counters }} RunsFeed */

/** @type {Set<(reason: string) => void>} */
const replacedListeners = new Set();

/** Calls `listener` with the reason whenever a stream is replaced. @param {(reason: string) => void} listener */
export function onStreamReplaced(listener) {
  replacedListeners.add(listener);
  return () => void replacedListeners.delete(listener);
}

/** An EventSource that stops for good when the console replaces it. @param {string} url */
export function liveStream(url) {
  const stream = new EventSource(url);
  stream.addEventListener('replaced', (event) => {
    stream.close();
    const reason = /** @type {{ reason: string }} */ (JSON.parse(/** @type {MessageEvent<string>} */ (event).data)).reason;
    replacedListeners.forEach((fn) => fn(reason));
  });
  return stream;
}

/** @type {Set<(feed: RunsFeed) => void>} */
const feedListeners = new Set();
/** @type {EventSource | undefined} */
let feed;

/** Subscribes to the shared runs feed (opened on first use). @param {(feed: RunsFeed) => void} listener */
export function subscribeRuns(listener) {
  if (!feed) {
    feed = liveStream('/api/events');
    feed.addEventListener('runs', (event) => {
      const data = /** @type {RunsFeed} */ (JSON.parse(/** @type {MessageEvent<string>} */ (event).data));
      feedListeners.forEach((fn) => fn(data));
    });
  }
  feedListeners.add(listener);
  return () => void feedListeners.delete(listener);
}

/**
 * Listens to named events of a stream while the component is shown; the stream closes when it goes.
 * @param {string | undefined} url no stream while undefined
 * @param {Record<string, (data: any) => void>} handlers by event name, called with the parsed JSON
 */
export function useStream(url, handlers) {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    if (!url) return undefined;
    const stream = liveStream(url);
    for (const name of Object.keys(latest.current))
      stream.addEventListener(name, (event) => latest.current[name]?.(JSON.parse(/** @type {MessageEvent<string>} */ (event).data)));
    return () => stream.close();
  }, [url]);
}

/** Calls `fn` now and every `ms` while the component is shown. @param {() => void} fn @param {number} ms */
export function useInterval(fn, ms) {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    latest.current();
    const timer = setInterval(() => latest.current(), ms);
    return () => clearInterval(timer);
  }, [ms]);
}
