// @ts-check
/** A run's or a step's state as a coloured badge; the words say it, the colour only repeats them. */
import { html } from '../lib/html.js';

/** The CSS class of a state: `state state-needs_attention`. @param {string} state */
export const stateClass = (state) => `state state-${String(state).replace(/[^a-z_]/gi, '')}`;

/** @param {{ state: string, testid?: string }} props */
export function StatusBadge({ state, testid }) {
  return html`<span class=${stateClass(state)} data-testid=${testid}>${state}</span>`;
}
