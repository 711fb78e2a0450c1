/**
 * The datasets the pipeline knows: each one's source columns, row schema (zod), key columns, warehouse table
 * and the transform from a valid source row to a warehouse row. Adding a dataset is one entry here.
 */
import { z } from 'zod';

export interface WarehouseColumn {
  name: string;
  type: 'TEXT' | 'INTEGER';
}

export interface DatasetDefinition {
  name: string;
  /** The columns a source file must have (in any order; others are ignored), in the order rows are staged. */
  columns: readonly string[];
  /** The column that identifies a row within its batch: the warehouse's row key. */
  rowKey: string;
  /** Columns that must never be empty in the warehouse (a quality check). */
  keyColumns: readonly string[];
  /** One source row, every field as text. */
  row: z.ZodType<Record<string, string>>;
  /** The warehouse table: its columns, after `batch_id`, in the order {@link DatasetDefinition.transform} returns values. */
  table: { name: string; columns: readonly WarehouseColumn[] };
  /** The warehouse row of a valid source row (fields in {@link DatasetDefinition.columns} order). */
  transform(fields: readonly string[]): Array<string | number>;
}

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, "-" or "_"');

/** A decimal amount in cents, from text already checked to have at most two decimals (no floating point). */
function toCents(amount: string): number {
  const [whole = '0', fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

const ORDERS: DatasetDefinition = {
  name: 'orders',
  columns: ['order_id', 'customer_id', 'order_date', 'amount', 'currency', 'country'],
  rowKey: 'order_id',
  keyColumns: ['order_id', 'customer_id', 'order_date'],
  row: z.object({
    order_id: id,
    customer_id: id,
    order_date: z.iso.date({ error: 'must be a date as YYYY-MM-DD' }),
    amount: z
      .string()
      .regex(/^\d{1,12}(\.\d{1,2})?$/, 'must be an amount with at most 2 decimals, e.g. 129.90')
      .refine((v) => /[1-9]/.test(v), 'must be more than 0'),
    currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be a 3-letter currency code'),
    country: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code'),
  }),
  table: {
    name: 'orders',
    columns: [
      { name: 'order_id', type: 'TEXT' },
      { name: 'customer_id', type: 'TEXT' },
      { name: 'order_date', type: 'TEXT' },
      { name: 'order_month', type: 'TEXT' },
      { name: 'amount_cents', type: 'INTEGER' },
      { name: 'currency', type: 'TEXT' },
      { name: 'country', type: 'TEXT' },
    ],
  },
  transform: ([orderId = '', customerId = '', orderDate = '', amount = '', currency = '', country = '']) => [
    orderId,
    customerId,
    orderDate,
    orderDate.slice(0, 7),
    toCents(amount),
    currency.toUpperCase(),
    country.toUpperCase(),
  ],
};

export const DATASETS: Readonly<Record<string, DatasetDefinition>> = { orders: ORDERS };

export const DATASET_NAMES = Object.keys(DATASETS) as [string, ...string[]];

/** The dataset of that name; throws for one the pipeline does not know. */
export function datasetNamed(name: string): DatasetDefinition {
  const dataset = DATASETS[name];
  if (!dataset) throw new Error(`unknown dataset "${name}"; datasets are ${DATASET_NAMES.join(', ')}`);
  return dataset;
}
