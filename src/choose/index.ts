/**
 * "Which approach should you use?" (the seed's questionnaire): questions, the recommendation of a sequential, DAG
 * or event-driven process with its reasons, and the installed process that shows it. Pure except ./installed.ts,
 * which reads the registry.
 */
export { APPROACHES, QUESTIONS, type Approach, type ChoiceQuestion } from './questions';
export { checkAnswers, questionnaire, recommend, type Questionnaire, type Recommendation } from './recommend';
export { approachExamples, chainLength, parallelWidth, type ApproachExample, type ProcessSummary } from './examples';
