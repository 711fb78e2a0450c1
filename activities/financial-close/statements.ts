/**
 * The close's published statements: the trial balance as CSV (for the controller's spreadsheet) and the
 * income statement as a self-contained HTML page (for reading), per entity and consolidated.
 */
import type { IncomeStatement, TrialBalance } from './general-ledger';
import { formatCents } from './money';
import { csvText, numberCell, textCell } from '../kit/spreadsheet-csv';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Thousands separators for reading; the CSV keeps plain decimals so spreadsheets parse them. */
function readable(cents: number): string {
  const [units, fraction] = formatCents(Math.abs(cents)).split('.') as [string, string];
  return `${cents < 0 ? '-' : ''}${units.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}

/**
 * One CSV row per account with a balance and a TOTAL row per scope (an entity, or 'consolidated'). Names come from
 * the ledger, so every text cell is neutralised against formulas; amounts stay numbers (see ../kit/spreadsheet-csv).
 */
export function trialBalanceCsv(tb: TrialBalance): string {
  const text = (...cells: string[]) => cells.map(textCell);
  const amounts = (...cents: number[]) => cents.map((c) => numberCell(formatCents(c)));
  const rows = [text('scope', 'currency', 'account', 'name', 'type', 'debit', 'credit')];
  for (const s of tb.scopes) {
    for (const r of s.rows) rows.push([...text(s.scope, s.currency, r.code, r.name, r.type), ...amounts(r.debit, r.credit)]);
    rows.push([...text(s.scope, s.currency, 'TOTAL', `Total ${s.name}`, ''), ...amounts(s.totalDebit, s.totalCredit)]);
  }
  return csvText(rows);
}

/** The income statement of each scope as one HTML page. */
export function incomeStatementHtml(statement: IncomeStatement): string {
  const row = (label: string, cents: number, cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}><td>${escapeHtml(label)}</td><td class="amount">${readable(cents)}</td></tr>`;
  const sections = statement.scopes.map((s) => {
    const revenue = s.rows.filter((r) => r.type === 'revenue');
    const expenses = s.rows.filter((r) => r.type === 'expense');
    return [
      `<section id="${escapeHtml(s.scope)}">`,
      `<h2>${escapeHtml(s.name)} <small>(${escapeHtml(s.currency)})</small></h2>`,
      '<table>',
      '<tr><th colspan="2">Revenue</th></tr>',
      ...revenue.map((r) => row(`${r.code} ${r.name}`, r.amount)),
      row('Total revenue', s.totalRevenue, 'total'),
      '<tr><th colspan="2">Expenses</th></tr>',
      ...expenses.map((r) => row(`${r.code} ${r.name}`, r.amount)),
      row('Total expenses', s.totalExpenses, 'total'),
      row('Net income', s.netIncome, 'net'),
      '</table>',
      '</section>',
    ].join('\n');
  });
  const translation = statement.rateSetId
    ? `Consolidated at the closing rates of rate set ${escapeHtml(statement.rateSetId)}.`
    : 'All entities report in the group currency.';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Income statement ${escapeHtml(statement.period)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; }
table { border-collapse: collapse; min-width: 28rem; margin-bottom: 2rem; }
th { text-align: left; padding-top: .75rem; }
td { padding: .15rem .5rem; }
td.amount { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td, tr.net td { border-top: 1px solid #888; font-weight: 600; }
</style>
</head>
<body>
<h1>Income statement for ${escapeHtml(statement.period)}</h1>
<p>${translation}</p>
${sections.join('\n')}
</body>
</html>
`;
}
