// @ts-check
/**
 * Preact with htm, the console's one way to build the page: `html` tagged templates instead of JSX (no build step),
 * and the hooks. Text in a template is always set as text, never parsed as HTML.
 */
export { html } from 'htm/preact';
export { render, createContext } from 'preact';
export { useState, useEffect, useLayoutEffect, useRef, useMemo, useCallback, useContext } from 'preact/hooks';
