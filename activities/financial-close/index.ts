/**
 * The financial close's worker part: its activities against the general ledger (opened here, and loaded with the
 * example books when empty), the banks' statements, the rates source and the mail the worker shares.
 */
import { defineWorker } from '../kit/process-worker';
import { createAccountingActivities } from './activities';
import { settings } from './settings';
import { SqliteGeneralLedger } from './sqlite-general-ledger';

export { createAccountingActivities, type AccountingActivities } from './activities';

export const worker = defineWorker({
  async connect(systems) {
    const close = settings.of(systems.config);
    const books = new SqliteGeneralLedger(close.accountingDbPath);
    try {
      if (close.seed !== 'none') await books.seedFrom(close.seed);
    } catch (err) {
      books.close();
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
