/** Customer onboarding's workflows, for the worker's bundle. */
export { customerOnboarding } from './workflow';
