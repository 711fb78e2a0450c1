/** Customer onboarding's own settings: who approves enterprise contracts, where the CRM lives, where tenants sign in. */
import path from 'node:path';
import { z } from 'zod';
import { defineSettings } from '../kit/settings';

export const settings = defineSettings(
  {
    CUSTOMER_ACCOUNT_MANAGER: z.email({ error: 'must be an email address' }).default('account-manager@overture.local'),
    CUSTOMER_CRM_DB_PATH: z.string().optional(),
    CUSTOMER_LOGIN_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://app.overture.local'),
  },
  (raw, config) => ({
    accountManagerEmail: raw.CUSTOMER_ACCOUNT_MANAGER,
    /** The embedded CRM (SQLite). */
    crmDbPath: path.resolve(raw.CUSTOMER_CRM_DB_PATH ?? path.join(config.OVERTURE_DATA_DIR, 'crm.db')),
    loginBaseUrl: raw.CUSTOMER_LOGIN_BASE_URL,
  }),
);

export type CustomerSettings = ReturnType<typeof settings.of>;
