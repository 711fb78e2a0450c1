/**
 * The seed's "which orchestration approach should you use?" as questions: each option says which of the three
 * approaches it favours and why, in the seed's own terms (sequential: simple to follow and debug; a DAG: independent
 * steps in parallel with explicit dependencies; event-driven: loosely coupled steps triggered by events).
 */

/** The three ways to orchestrate a workflow the seed describes. */
export const APPROACHES = ['sequential', 'dag', 'event-driven'] as const;
export type Approach = (typeof APPROACHES)[number];

/** One answer to a question, with the weight it gives each approach it favours and the reason it says. */
export interface ChoiceOption {
  value: string;
  label: string;
  favours: Partial<Record<Approach, number>>;
  /** Why this answer points where it points, said back to the person with the recommendation. */
  reason: string;
}

/** One question of the questionnaire. */
export interface ChoiceQuestion {
  id: string;
  text: string;
  options: readonly ChoiceOption[];
}

/** The questionnaire, in the order it is asked. */
export const QUESTIONS: readonly ChoiceQuestion[] = [
  {
    id: 'complexity',
    text: 'How complex is your workflow?',
    options: [
      {
        value: 'simple',
        label: 'A handful of steps, always in the same order',
        favours: { sequential: 2 },
        reason: 'A handful of steps in a fixed order reads best as a sequence: each step waits for the one before it.',
      },
      {
        value: 'dependencies',
        label: 'Many steps, each needing only some of the others',
        favours: { dag: 2 },
        reason: 'Steps that each need only some others form a graph of dependencies: each starts as soon as what it needs is done.',
      },
      {
        value: 'open-ended',
        label: 'Steps come and go; others add their own as the business changes',
        favours: { 'event-driven': 2 },
        reason: 'Steps that come and go are easiest to add as listeners to events, with no central flow to rebuild.',
      },
    ],
  },
  {
    id: 'parallel',
    text: 'Could some steps run at the same time, because they do not need each other?',
    options: [
      {
        value: 'yes',
        label: 'Yes, several steps are independent',
        favours: { dag: 2 },
        reason: 'Independent steps can run in parallel: a DAG runs them side by side and joins them where they meet.',
      },
      {
        value: 'no',
        label: 'No, each step needs the one before',
        favours: { sequential: 1 },
        reason: 'No step can run beside another, so parallelism would buy nothing: the output of one step is the input of the next.',
      },
    ],
  },
  {
    id: 'trigger',
    text: 'Once a run has started, what moves it forward?',
    options: [
      {
        value: 'itself',
        label: 'The run itself: when a step is done, the next one starts',
        favours: { sequential: 1, dag: 1 },
        reason: 'The run drives itself from start to end, so one orchestrator can see, retry and resume every step.',
      },
      {
        value: 'outside',
        label: 'Things that happen outside: a customer acts, a system reports, a document comes back',
        favours: { 'event-driven': 2 },
        reason: 'The next step waits for things that happen outside the process: steps triggered by events.',
      },
    ],
  },
  {
    id: 'owners',
    text: 'Who owns the steps?',
    options: [
      {
        value: 'one-team',
        label: 'One team owns the whole flow',
        favours: { sequential: 1, dag: 1 },
        reason: 'One team owns the whole flow: explicit steps in one place are the easiest to change together.',
      },
      {
        value: 'many-teams',
        label: 'Several teams or systems, each extending its own part',
        favours: { 'event-driven': 1 },
        reason: 'Several owners extend their own parts: loose coupling lets each add a step without touching the others.',
      },
    ],
  },
  {
    id: 'tracing',
    text: 'How easily must anyone trace a run step by step and see why it is stuck?',
    options: [
      {
        value: 'essential',
        label: 'It is essential: people must see where every run is',
        favours: { sequential: 1, dag: 1 },
        reason: 'Every run must be easy to trace: with one orchestrator the path of a run is in one place, not spread over events.',
      },
      {
        value: 'tolerable',
        label: 'We can invest in event infrastructure and tracing',
        favours: { 'event-driven': 1 },
        reason: 'You can afford the event infrastructure and the harder tracing that loose coupling costs.',
      },
    ],
  },
  {
    id: 'priority',
    text: 'What matters more?',
    options: [
      {
        value: 'speed',
        label: 'Finishing sooner',
        favours: { dag: 1 },
        reason: 'Finishing sooner matters: running independent steps in parallel shortens each run.',
      },
      {
        value: 'simplicity',
        label: 'A flow that is simple to follow and debug',
        favours: { sequential: 1 },
        reason: 'Simplicity matters most: start simple, and add complexity only when it is needed.',
      },
    ],
  },
];

/** What the seed says for and against each approach, added to the reasons of a recommendation. */
export const APPROACH_NOTES: Readonly<Record<Approach, { name: string; pro: string; con: string }>> = {
  sequential: {
    name: 'Sequential orchestration',
    pro: 'Simple mental model, easy to debug, clear data flow; failures are easy to identify and retry.',
    con: 'Slower: it cannot run independent steps in parallel.',
  },
  dag: {
    name: 'DAG orchestration',
    pro: 'Maximum parallelism and explicit dependencies: the orchestrator tracks which steps are ready, running or complete.',
    con: 'More complex to design: it needs careful mapping of the dependencies.',
  },
  'event-driven': {
    name: 'Event-driven orchestration',
    pro: 'Loose coupling, easy to extend, handles dynamic workflows.',
    con: 'Harder to trace, needs event infrastructure, and debugging is complex.',
  },
};
