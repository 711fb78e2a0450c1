/** The onboarding's workflows, for the worker's bundle. */
export { onboarding } from './workflow';
