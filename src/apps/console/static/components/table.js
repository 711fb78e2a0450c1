// @ts-check
/**
 * A data table with a caption (its accessible name) and column headers; `empty` is shown as one row when there are
 * none. Each column renders a cell from the row.
 */
import { html } from '../lib/html.js';

/**
 * @template Row
 * @typedef {{ title: string, cell: (row: Row) => any, className?: string }} Column
 */

/**
 * @template Row
 * @param {{ caption: string, columns: Column<Row>[], rows: Row[], rowKey: (row: Row) => string,
 *   rowProps?: (row: Row) => Record<string, unknown>, empty?: string, testid?: string, bodyTestid?: string,
 *   className?: string, captionHidden?: boolean, after?: (row: Row) => any }} props
 *   (`after` adds rows under a row, e.g. a parent run's children)
 */
export function DataTable({
  caption,
  columns,
  rows,
  rowKey,
  rowProps,
  empty = 'Nothing to show.',
  testid,
  bodyTestid,
  className,
  captionHidden,
  after,
}) {
  return html`<table class=${`data ${className ?? ''}`} data-testid=${testid}>
    <caption class=${captionHidden ? 'visually-hidden' : undefined}>
      ${caption}
    </caption>
    <thead>
      <tr>
        ${columns.map((c) => html`<th scope="col" class=${c.className}>${c.title}</th>`)}
      </tr>
    </thead>
    <tbody data-testid=${bodyTestid}>
      ${
        rows.length
          ? rows.map(
              (row) =>
                html`<tr key=${rowKey(row)} ...${rowProps ? rowProps(row) : {}}>
                    ${columns.map((c) => html`<td class=${c.className}>${c.cell(row)}</td>`)}
                  </tr>
                  ${after ? after(row) : null}`,
            )
          : html`<tr>
              <td colspan=${columns.length} class="empty">${empty}</td>
            </tr>`
      }
    </tbody>
  </table>`;
}
