/** Customer onboarding's worker part: its activities against the CRM (opened here) and the email and chat the worker shares. */
import { defineWorker } from '../kit/process-worker';
import { createCustomerOnboardingActivities } from './activities';
import { settings } from './settings';
import { SqliteCrm } from './sqlite-crm';

export const worker = defineWorker({
  connect(systems) {
    const customer = settings.of(systems.config);
    const crm = new SqliteCrm(customer.crmDbPath, customer.loginBaseUrl);
    return { activities: createCustomerOnboardingActivities({ crm, mail: systems.mail, chat: systems.chat }), close: () => crm.close() };
  },
});
