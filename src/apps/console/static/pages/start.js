// @ts-check
/**
 * Start a run: a process's input as a form built from its JSON Schema (one labelled field per property when every
 * property is plain, prefilled with the process's example; otherwise the whole input as JSON), and a fault per
 * activity to inject. The server checks the input again; its messages name the fields.
 */
import { html, useEffect, useState } from '../lib/html.js';
import { api, loadProcesses, vocabulary } from '../lib/api.js';
import { runHref } from '../lib/format.js';
import { ErrorBanner } from '../components/error-banner.js';
import { SelectField } from '../components/form.js';
import { SimulatePanel } from '../components/simulate-panel.js';

/** @typedef {import('../api-types').ProcessListing} ProcessListing @typedef {import('../api-types').JsonSchema} JsonSchema */

/** A property the form can show as one field: text (or no type: a text the server transforms), number, yes/no, a list of text. @param {JsonSchema} p */
const plain = (p) =>
  p.type === undefined || ['string', 'number', 'integer', 'boolean'].includes(p.type) || (p.type === 'array' && p.items?.type === 'string');

/** The form's fields for a process, or undefined when its input needs the JSON editor. @param {ProcessListing} process */
function fieldsOf(process) {
  const schema = process.inputSchema ?? {};
  const props = schema.properties ?? {};
  const names = Object.keys(props);
  if (schema.type !== 'object' || names.length === 0 || !names.every((n) => plain(props[n] ?? {}))) return undefined;
  const required = new Set(schema.required ?? []);
  return names.map((name) => ({ name, schema: props[name] ?? {}, required: required.has(name) }));
}

/** The example's value of a field as the form shows it. @param {ProcessListing} process @param {string} name @param {JsonSchema} p */
function initialValue(process, name, p) {
  const example = /** @type {Record<string, unknown>} */ (process.example ?? {});
  const value = example[name] !== undefined ? example[name] : p.default;
  if (p.type === 'boolean') return value === true;
  if (p.type === 'array') return Array.isArray(value) ? value.join(', ') : '';
  return value === undefined || value === null ? '' : String(value);
}

/** The input to send, read from the fields (or the JSON); throws with a message the person can act on. @param {ProcessListing} process @param {Record<string, string | boolean>} values @param {string} json */
function readInput(process, values, json) {
  const fields = fieldsOf(process);
  if (!fields) {
    try {
      return JSON.parse(json);
    } catch (err) {
      throw new Error(`input: not valid JSON (${/** @type {Error} */ (err).message})`);
    }
  }
  /** @type {Record<string, unknown>} */
  const input = {};
  for (const { name, schema: p, required } of fields) {
    const value = values[name];
    if (p.type === 'boolean') input[name] = value === true;
    else if (p.type === 'array') {
      const list = String(value ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (list.length || required) input[name] = list;
    } else if (value !== '' || required) input[name] = p.type === 'number' || p.type === 'integer' ? Number(value) : value;
  }
  return input;
}

/** The type of a text-like input for a schema property. @param {JsonSchema} p */
const inputType = (p) =>
  p.type === 'number' || p.type === 'integer' ? 'number' : p.format === 'email' ? 'email' : p.format === 'date' ? 'date' : 'text';

export default function StartPage() {
  const [startable, setStartable] = useState(/** @type {ProcessListing[] | undefined} */ (undefined));
  const [chosen, setChosen] = useState('');
  const [values, setValues] = useState(/** @type {Record<string, string | boolean>} */ ({}));
  const [json, setJson] = useState('');
  const [faults, setFaults] = useState(/** @type {Record<string, string>} */ ({}));
  const [errors, setErrors] = useState(/** @type {string[]} */ ([]));

  /** Shows a process's form, prefilled with its example. @param {ProcessListing | undefined} process */
  const show = (process) => {
    if (!process) return;
    setChosen(process.name);
    const fields = fieldsOf(process) ?? [];
    setValues(Object.fromEntries(fields.map((f) => [f.name, initialValue(process, f.name, f.schema)])));
    setJson(JSON.stringify(process.example ?? {}, null, 2));
    setFaults({});
    setErrors([]);
  };
  // Read again: each process's example comes with fresh business keys, so each start is a new run.
  useEffect(() => {
    void loadProcesses().then((all) => {
      const list = all.filter((p) => !p.internal);
      setStartable(list);
      show(list[0]);
    });
  }, []);
  if (!startable)
    return html`<h1>Start a run</h1>
      <p class="hint" role="status">Loading the processes…</p>`;
  if (!startable.length)
    return html`<h1>Start a run</h1>
      <${ErrorBanner} message="The process registry could not be read." />`;
  const process = startable.find((p) => p.name === chosen) ?? startable[0];
  if (!process) return null;
  const fields = fieldsOf(process);

  const chosenFaults = Object.fromEntries(Object.entries(faults).filter(([, mode]) => mode !== 'none'));

  /** @param {Event} event */
  async function submit(event) {
    event.preventDefault();
    setErrors([]);
    if (!process) return;
    let input;
    try {
      input = readInput(process, values, json);
    } catch (err) {
      setErrors([/** @type {Error} */ (err).message]);
      return;
    }
    const result = await api('POST', '/api/runs', { process: process.name, input, faults: chosenFaults });
    if (result.ok) location.hash = runHref(/** @type {{ workflowId: string }} */ (result.data).workflowId);
    else setErrors(result.data.problems ?? [result.data.error]);
  }

  const activities = process.steps.filter((s) => s.kind === 'activity');
  return html`<h1>Start a run</h1>
    <form class="start" data-testid="start-form" onSubmit=${submit}>
      <${SelectField}
        label="Process"
        testid="start-process"
        value=${process.name}
        onChange=${(/** @type {string} */ name) => show(startable.find((p) => p.name === name))}
        options=${startable.map((p) => ({ value: p.name, label: `${p.title} (${p.name})` }))}
      />
      <fieldset>
        <legend>${fields ? process.title : `Input of ${process.title} (JSON)`}</legend>
        ${
          fields
            ? fields.map(({ name, schema: p, required }) => {
                const value = values[name];
                const set = (/** @type {string | boolean} */ v) => setValues({ ...values, [name]: v });
                if (p.type === 'boolean')
                  return html`<label
                    >${name}
                    <input
                      type="checkbox"
                      name=${name}
                      data-field=${name}
                      data-testid=${`field-${name}`}
                      checked=${value === true}
                      onChange=${(/** @type {Event} */ e) => set(/** @type {HTMLInputElement} */ (e.currentTarget).checked)}
                  /></label>`;
                return html`<label
                  >${name}
                  <input
                    type=${p.type === 'array' ? 'text' : inputType(p)}
                    name=${name}
                    data-field=${name}
                    data-testid=${`field-${name}`}
                    required=${required}
                    placeholder=${p.type === 'array' ? 'comma separated' : undefined}
                    value=${String(value ?? '')}
                    onInput=${(/** @type {Event} */ e) => set(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
                /></label>`;
              })
            : html`<textarea
                name="input"
                rows="10"
                spellcheck="false"
                aria-label=${`Input of ${process.title} (JSON)`}
                data-testid="start-input"
                value=${json}
                onInput=${(/** @type {Event} */ e) => setJson(/** @type {HTMLTextAreaElement} */ (e.currentTarget).value)}
              ></textarea>`
        }
      </fieldset>
      <fieldset>
        <legend>Failure injection (per step)</legend>
        ${activities.map(
          (step) =>
            html`<${SelectField}
              label=${step.name}
              hint=${step.title}
              testid=${`fault-${step.name}`}
              value=${faults[step.name] ?? 'none'}
              onChange=${(/** @type {string} */ mode) => setFaults({ ...faults, [step.name]: mode })}
              options=${vocabulary().faultChoices}
            />`,
        )}
      </fieldset>
      <button type="submit" data-testid="start-submit">Start: ${process.title}</button>
      <${ErrorBanner} message=${errors} testid="start-errors" />
      <${SimulatePanel} key=${process.name} process=${process.name} read=${() => readInput(process, values, json)} faults=${chosenFaults} />
    </form>`;
}
