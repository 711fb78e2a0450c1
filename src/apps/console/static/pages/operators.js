// @ts-check
/**
 * Operators (admin only; GET /api/operators): who may use Overture and with which role; an admin adds one (the new
 * personal token is shown once, here, and never again), changes a role or revokes an operator's access.
 */
import { html, useEffect, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { formatDateTime } from '../lib/format.js';
import { ROLES } from '../lib/role.js';
import { useApiGet } from '../lib/use-api.js';
import { ActionOutcome, LoadedTable, useActionOutcome } from '../components/list-page.js';
import { SelectField, TextField } from '../components/form.js';
import { ErrorBanner } from '../components/error-banner.js';

/**
 * @typedef {import('../page-types').OperatorRow} OperatorRow
 * @typedef {import('../page-types').NewOperator} NewOperator
 * @typedef {import('../lib/use-api.js').ApiData<{ operators: OperatorRow[] }>} OperatorsData
 */

/** The form that adds an operator; the answer's token is shown once, with a sign-in link. @param {{ onAdded: () => void }} props */
function AddOperator({ onAdded }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('viewer');
  const [problem, setProblem] = useState('');
  const [added, setAdded] = useState(/** @type {NewOperator | undefined} */ (undefined));
  /** @param {Event} event */
  const submit = async (event) => {
    event.preventDefault();
    setProblem('');
    setAdded(undefined);
    const result = await api('POST', '/api/operators', { name: name.trim(), role });
    if (!result.ok) return setProblem(result.data.error);
    setAdded(/** @type {NewOperator} */ (result.data));
    setName('');
    onAdded();
  };
  const link = added ? `${location.origin}/login#token=${encodeURIComponent(added.token)}` : '';
  return html`<form class="add-operator" data-testid="operator-add-form" onSubmit=${submit}>
    <fieldset>
      <legend>Add an operator</legend>
      <${TextField}
        label="Name"
        name="name"
        testid="operator-name-input"
        value=${name}
        onInput=${setName}
        required=${true}
        maxLength=${64}
      />
      <${SelectField} label="Role" name="role" testid="operator-role-input" value=${role} onChange=${setRole} options=${[...ROLES]} />
      <button type="submit" data-testid="operator-add">Add</button>
    </fieldset>
    <${ErrorBanner} message=${problem} testid="operator-add-error" />
    ${
      added
        ? html`<div class="token-once" role="status" data-testid="operator-token-box">
            <p><b>${added.name}</b> (${added.role}) was added. Their personal token, shown this once (Overture keeps only its hash):</p>
            <p><code data-testid="operator-token">${added.token}</code></p>
            <p>Or send them this sign-in link over a private channel: <code data-testid="operator-token-link">${link}</code></p>
          </div>`
        : null
    }
  </form>`;
}

/** An operator's controls: a new role (applied by its button, not by moving through the list), Revoke. @param {{ operator: OperatorRow, onDone: (message: string, ok: boolean) => void }} props */
function OperatorActions({ operator, onDone }) {
  const [busy, setBusy] = useState(false);
  const [role, setRole] = useState(operator.role);
  const path = `/api/operators/${encodeURIComponent(operator.name)}`;
  /** @param {string} verb @param {unknown} body @param {string} done */
  const act = async (verb, body, done) => {
    setBusy(true);
    const result = await api('POST', `${path}/${verb}`, body);
    setBusy(false);
    onDone(result.ok ? `${operator.name}: ${done}` : `${operator.name}: ${result.data.error}`, result.ok);
  };
  if (operator.revoked) return html`<span class="hint">revoked</span>`;
  return html`<div class="row-actions">
    <${SelectField}
      label=${`New role of ${operator.name}`}
      className="field-inline"
      testid="operator-role-change"
      value=${role}
      options=${[...ROLES]}
      onChange=${setRole}
    />
    <button
      type="button"
      disabled=${busy || role === operator.role}
      data-testid="operator-role-submit"
      onClick=${() => act('role', { role }, `role is now ${role}`)}
    >
      Change role
    </button>
    <button
      type="button"
      class="danger"
      disabled=${busy}
      data-testid="operator-revoke"
      onClick=${() => {
        if (window.confirm(`Revoke ${operator.name}'s access? Their token stops working at once.`)) void act('revoke', {}, 'revoked');
      }}
    >
      Revoke
    </button>
  </div>`;
}

/** @param {import('../routes.js').PageProps} _props */
export default function OperatorsPage(_props) {
  useEffect(() => void (document.title = 'Operators · Overture'), []);
  const { data, error, loading, reload } = /** @type {OperatorsData} */ (useApiGet('/api/operators'));
  const { outcome, done } = useActionOutcome(reload);
  /** @type {import('../components/table.js').Column<OperatorRow>[]} */
  const columns = [
    { title: 'Operator', cell: (o) => o.name },
    { title: 'Role', cell: (o) => html`<span data-testid="operator-row-role">${o.role}</span>` },
    { title: 'Added', cell: (o) => formatDateTime(o.createdAt) || '–' },
    { title: 'Actions', cell: (o) => html`<${OperatorActions} operator=${o} onDone=${done} />` },
  ];
  return html`<h1>Operators</h1>
    <p class="hint">
      Who may use the console, the CLI and the API, and what each role allows: a viewer reads; an operator starts runs and decides
      escalations; an approver also answers approvals and questions; an admin also manages operators.
    </p>
    <${ErrorBanner} message=${error} testid="operators-error" />
    <${ActionOutcome} outcome=${outcome} testid="operators-message" />
    <${LoadedTable}
      what="operators"
      loading=${loading}
      caption="Operators"
      captionHidden=${true}
      columns=${columns}
      rows=${data?.operators}
      rowKey=${(/** @type {OperatorRow} */ o) => o.name}
      rowProps=${(/** @type {OperatorRow} */ o) => ({ 'data-testid': 'operator-row', 'data-operator': o.name, class: o.revoked ? 'revoked' : undefined })}
      empty="No operators."
      testid="operators-table"
    />
    <${AddOperator} onAdded=${() => void reload()} />`;
}
