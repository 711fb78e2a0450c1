/**
 * The financial close's worker part: its activities against the general ledger (opened here: SQLite, or PostgreSQL
 * at ACCOUNTING_URL; loaded with the example books when empty), the banks' statements, the rates source and the
 * mail the worker shares.
 */
import { defineWorker } from '../kit/process-worker';
import { createAccountingActivities } from './activities';
import { openGeneralLedger } from './open-general-ledger';
import { settings } from './settings';

export { createAccountingActivities, type AccountingActivities } from './activities';

export const worker = defineWorker({
  async connect(systems) {
    const close = settings.of(systems.config);
    // PostgreSQL at ACCOUNTING_URL (one set of books for every host), else this host's SQLite file.
    const books = await openGeneralLedger(close);
    try {
      // Seeding is one transaction that finds the books empty: hosts starting at once load them once.
      if (close.seed !== 'none') await books.seedFrom(close.seed);
    } catch (err) {
      await books.close();
      throw err;
    }
    const { transport, from, ledger, guard } = systems.mail;
    const activities = createAccountingActivities({
      ledger: books,
      bankStatementsDir: close.bankStatementsDir,
      ratesSource: close.ratesSource,
      statementsDir: close.statementsDir,
      email: { transport, from, deliveries: ledger, guard },
    });
    return { activities, close: () => books.close() };
  },
});
