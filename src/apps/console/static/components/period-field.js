// @ts-check
/** The KPI pages' period: the window the figures cover, as the API's `since`. */
import { html } from '../lib/html.js';
import { PERIODS } from '../lib/kpi-format.js';
import { SelectField } from './form.js';

/** @param {{ since: string, onChange: (since: string) => void }} props */
export function PeriodField({ since, onChange }) {
  return html`<div class="filters">
    <${SelectField} label="Period" testid="kpi-period" value=${since} options=${PERIODS} onChange=${onChange} />
  </div>`;
}
