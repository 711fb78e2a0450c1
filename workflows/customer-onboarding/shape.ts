/**
 * The shape of a customer onboarding: its steps in the order they are shown, what each needs first, and the
 * outputs later steps read. Read by the workflow (its DAG and tracker), the registry, the CLI and the console.
 */
import { defineShape } from '../kit/shape';

export const CUSTOMER_ONBOARDING = defineShape({
  name: 'customer-onboarding',
  title: 'Customer onboarding',
  steps: {
    createCrmAccount: { title: 'Create the customer account in the CRM', kind: 'activity', outputs: { accountId: 'text' } },
    approveContract: {
      title: 'The account manager approves an enterprise contract',
      kind: 'approval',
      needs: ['createCrmAccount'],
      optional: true,
    },
    provisionAccess: {
      title: "Provision access: the customer's tenant and its admin login",
      kind: 'activity',
      needs: ['approveContract'],
      outputs: { tenantId: 'text', loginUrl: 'text' },
    },
    welcomeDay0: { title: 'Welcome email (day 0)', kind: 'activity', needs: ['provisionAccess'] },
    welcomeDay3: { title: 'Setup tips email (day 3, unless setup is complete)', kind: 'activity', needs: ['welcomeDay0'], optional: true },
    welcomeDay7: { title: 'Check-in email (day 7, unless setup is complete)', kind: 'activity', needs: ['welcomeDay3'], optional: true },
    customerSetup: {
      title: 'The customer completes setup (customer.setup-completed), within 7 days',
      kind: 'event',
      needs: ['welcomeDay0'],
    },
    notifyAccountTeam: { title: 'Tell the account team', kind: 'activity', needs: ['provisionAccess'] },
  },
});
