/**
 * Accounting periods for tests that start month-end closes on a shared server. A close's workflow id is
 * `financial-close-<period>`, and other test files close the example's period: a test that starts (or must see
 * nothing start) gets a period of its own, one of 10,800 far-future months, so it never meets another file's run.
 */

/** A random `YYYY-MM` period in 2100–2999. */
export function periodOfItsOwn(): string {
  const year = 2100 + Math.floor(Math.random() * 900);
  const month = 1 + Math.floor(Math.random() * 12);
  return `${year}-${String(month).padStart(2, '0')}`;
}
