// @ts-check
/**
 * "Which approach?" (GET and POST /api/choose): the questionnaire that recommends a sequential process, a DAG or an
 * event-driven one, with its reasons and the installed process that shows that approach.
 */
import { html, useEffect, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { useApiGet } from '../lib/use-api.js';
import { ErrorBanner } from '../components/error-banner.js';

/**
 * @typedef {import('../page-types').Questionnaire} Questionnaire
 * @typedef {import('../page-types').Recommendation} Recommendation
 * @typedef {import('../lib/use-api.js').ApiData<Questionnaire>} QuestionnaireData
 */

/** @type {Record<Recommendation['approach'], string>} */
const APPROACH_NAMES = {
  sequential: 'Sequential steps',
  dag: 'A DAG (steps with dependencies, parallel where they allow)',
  'event-driven': 'Event-driven',
};

/** The recommendation, its reasons and the example process. @param {{ recommendation: Recommendation }} props */
function Recommended({ recommendation }) {
  const { approach, reasons, example } = recommendation;
  return html`<section class="recommendation" aria-labelledby="choose-result-title" data-testid="choose-result" data-approach=${approach}>
    <h2 id="choose-result-title" tabindex="-1">
      Recommended: <span data-testid="choose-approach">${APPROACH_NAMES[approach] ?? approach}</span>
    </h2>
    <h3>Why</h3>
    <ul data-testid="choose-reasons">
      ${reasons.map((reason) => html`<li>${reason}</li>`)}
    </ul>
    <h3>See it in a process here</h3>
    <p>
      <a href=${`#/kpis/${encodeURIComponent(example.process)}`} data-testid="choose-example">${example.title}</a>${' '}
      (<code>${example.process}</code>): its graph and figures. Its code: <code data-testid="choose-example-path">${example.path}</code>.
    </p>
  </section>`;
}

/** @param {import('../routes.js').PageProps} _props */
export default function ChoosePage(_props) {
  useEffect(() => void (document.title = 'Which approach? · Overture'), []);
  const { data, error, loading } = /** @type {QuestionnaireData} */ (useApiGet('/api/choose'));
  const [answers, setAnswers] = useState(/** @type {Record<string, string>} */ ({}));
  const [problem, setProblem] = useState('');
  const [result, setResult] = useState(/** @type {Recommendation | undefined} */ (undefined));
  /** @param {Event} event */
  const submit = async (event) => {
    event.preventDefault();
    setProblem('');
    const answer = await api('POST', '/api/choose', { answers });
    if (!answer.ok) return setProblem(answer.data.error);
    setResult(/** @type {Recommendation} */ (answer.data));
    // The answer appears below the form: take keyboard and screen-reader focus there.
    requestAnimationFrame(() => document.getElementById('choose-result-title')?.focus());
  };
  const questions = data?.questions ?? [];
  return html`<h1>Which approach?</h1>
    <p class="hint">
      Answer a few questions about the work to automate: the answer says whether to write it as sequential steps, a DAG or an event-driven
      process, and why.
    </p>
    <${ErrorBanner} message=${error} testid="choose-error" />
    ${
      data
        ? html`<form class="choose" data-testid="choose-form" onSubmit=${submit}>
            ${questions.map(
              (q) =>
                html`<fieldset data-testid="choose-question" data-question=${q.id}>
                  <legend>${q.text}</legend>
                  ${q.options.map(
                    (o) =>
                      html`<label class="field-check"
                        ><input
                          type="radio"
                          name=${q.id}
                          value=${o.value}
                          required=${true}
                          checked=${answers[q.id] === o.value}
                          data-testid=${`choose-${q.id}-${o.value}`}
                          onChange=${() => setAnswers({ ...answers, [q.id]: o.value })}
                        />
                        ${o.label}</label
                      >`,
                  )}
                </fieldset>`,
            )}
            <button type="submit" data-testid="choose-submit">Recommend an approach</button>
            <${ErrorBanner} message=${problem} testid="choose-problem" />
          </form>`
        : loading
          ? html`<p class="hint" role="status">Loading the questions…</p>`
          : null
    }
    ${result ? html`<${Recommended} recommendation=${result} />` : null}`;
}
