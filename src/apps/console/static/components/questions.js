// @ts-check
/** A run's open questions as decision cards; a card (and its receipt) stays while its question stays open. */
import { html } from '../lib/html.js';
import { DecisionControls, QuestionSummary } from './decision.js';

/** @param {{ status: Pick<import('../api-types').RunStatus, 'workflowId' | 'questions'> }} props */
export function QuestionCards({ status }) {
  const open = status.questions.filter((q) => q.open);
  return html`<div data-testid="run-questions">
    ${open.map((q) => {
      const item = {
        workflowId: status.workflowId,
        question: q.id,
        kind: q.kind,
        step: q.step,
        detail: q.prompt,
        choices: q.choices,
        requiredOutput: q.requiredOutput,
      };
      return html`<section
        key=${q.id}
        id=${`question-${q.id}`}
        class="question"
        aria-label=${`${q.kind} on ${q.step}`}
        data-testid="run-question"
        data-step=${q.step}
        data-kind=${q.kind}
        data-question=${q.id}
      >
        <${QuestionSummary} item=${item} />
        <${DecisionControls} item=${item} />
      </section>`;
    })}
  </div>`;
}
