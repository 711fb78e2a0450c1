// @ts-check
/** A problem to show: role="alert", so a screen reader says it at once; nothing when there is no message. */
import { html } from '../lib/html.js';

/** @param {{ message?: string | string[], testid?: string }} props */
export function ErrorBanner({ message, testid = 'error-banner' }) {
  const lines = (Array.isArray(message) ? message : [message]).filter(Boolean);
  if (!lines.length) return null;
  return html`<div class="error-banner" role="alert" data-testid=${testid}>
    ${
      lines.length === 1
        ? lines[0]
        : html`<ul>
            ${lines.map((line) => html`<li>${line}</li>`)}
          </ul>`
    }
  </div>`;
}
