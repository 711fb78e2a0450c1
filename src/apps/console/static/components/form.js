// @ts-check
/**
 * Labelled form controls: every control has a visible label tied to it by id (`for`), so a screen reader names it by
 * the label's words alone (a wrapping label would add a select's chosen option to its name) and a click on the words
 * focuses it. `hint` adds a description read after the label.
 */
import { html, useMemo } from '../lib/html.js';

let nextId = 0;
/** A unique id for aria-describedby. @param {string} prefix */
const uid = (prefix) => `${prefix}-${++nextId}`;

/**
 * @typedef {object} FieldProps
 * @property {string} label what the control is for
 * @property {string} [name]
 * @property {string} [testid]
 * @property {string} [hint] read after the label
 * @property {string} [className]
 */

/**
 * A text-like input (text, search, email, number, date, datetime-local).
 * @param {FieldProps & { value: string, onInput: (value: string) => void, type?: string, placeholder?: string, required?: boolean, maxLength?: number }} props
 */
export function TextField({ label, name, testid, hint, className, value, onInput, type = 'text', placeholder, required, maxLength }) {
  const hintId = useMemo(() => (hint ? uid('hint') : undefined), [Boolean(hint)]);
  const id = useMemo(() => uid('field'), []);
  return html`<div class=${`field ${className ?? ''}`}>
    <label class="field-label" for=${id}>${label}</label>
    <input
      id=${id}
      type=${type}
      name=${name}
      value=${value}
      placeholder=${placeholder}
      required=${required}
      maxlength=${maxLength}
      data-testid=${testid}
      aria-describedby=${hintId}
      onInput=${(/** @type {Event} */ e) => onInput(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
    />
    ${hint ? html`<span class="field-hint" id=${hintId}>${hint}</span>` : null}
  </div>`;
}

/**
 * A choice among options; `empty` adds a first option meaning "any".
 * @param {FieldProps & { value: string, onChange: (value: string) => void, options: (string | { value: string, label: string })[], empty?: string }} props
 */
export function SelectField({ label, name, testid, hint, className, value, onChange, options, empty }) {
  const hintId = useMemo(() => (hint ? uid('hint') : undefined), [Boolean(hint)]);
  const id = useMemo(() => uid('field'), []);
  return html`<div class=${`field ${className ?? ''}`}>
    <label class="field-label" for=${id}>${label}</label>
    <select
      id=${id}
      name=${name}
      data-testid=${testid}
      aria-describedby=${hintId}
      onChange=${(/** @type {Event} */ e) => onChange(/** @type {HTMLSelectElement} */ (e.currentTarget).value)}
    >
      ${empty !== undefined ? html`<option value="" selected=${value === ''}>${empty}</option>` : null}
      ${options.map((o) => {
        const option = typeof o === 'string' ? { value: o, label: o } : o;
        return html`<option value=${option.value} selected=${option.value === value}>${option.label}</option>`;
      })}
    </select>
    ${hint ? html`<span class="field-hint" id=${hintId}>${hint}</span>` : null}
  </div>`;
}

/** A yes/no box. @param {FieldProps & { checked: boolean, onChange: (checked: boolean) => void }} props */
export function CheckboxField({ label, name, testid, className, checked, onChange }) {
  return html`<label class=${`field field-check ${className ?? ''}`}>
    <input
      type="checkbox"
      name=${name}
      checked=${checked}
      data-testid=${testid}
      onChange=${(/** @type {Event} */ e) => onChange(/** @type {HTMLInputElement} */ (e.currentTarget).checked)}
    />
    <span class="field-label">${label}</span>
  </label>`;
}

/** A multi-line text (JSON, notes). @param {FieldProps & { value: string, onInput: (value: string) => void, rows?: number }} props */
export function TextAreaField({ label, name, testid, className, value, onInput, rows = 3 }) {
  const id = useMemo(() => uid('field'), []);
  return html`<div class=${`field ${className ?? ''}`}>
    <label class="field-label" for=${id}>${label}</label>
    <textarea
      id=${id}
      name=${name}
      rows=${rows}
      spellcheck="false"
      data-testid=${testid}
      value=${value}
      onInput=${(/** @type {Event} */ e) => onInput(/** @type {HTMLTextAreaElement} */ (e.currentTarget).value)}
    ></textarea>
  </div>`;
}
