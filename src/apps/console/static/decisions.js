/* Overture operator console: the decision controls of an open question, shared by the inbox, the run page and the demo. */
/* global window */
'use strict';

(function (O) {
  const { h, api } = O;

  /** The line that says what is asked: an escalated step, an approval, a task or a process's own question. */
  O.questionSummary = function questionSummary(item) {
    switch (item.kind) {
      case 'escalation':
        return [`${item.step} escalated`, item.detail ? h('div', { class: 'step-error' }, item.detail) : null];
      case 'approval':
        return [`Approve ${item.detail}`];
      case 'task':
        return [`Task ${item.step}`, h('div', { class: 'task-instructions', 'data-testid': 'task-instructions' }, item.detail)];
      default:
        return [`Question on ${item.step}: `, h('span', { class: 'question-prompt' }, item.detail)];
    }
  };

  /** One text input per output key the answer must carry. */
  function outputFields(keys) {
    const inputs = keys.map((key) =>
      h('input', { type: 'text', maxlength: '500', name: key, 'data-testid': `output-${key}`, placeholder: key }),
    );
    const el = keys.length
      ? h(
          'div',
          { class: 'output-fields' },
          keys.map((key, i) => h('label', {}, key, inputs[i])),
        )
      : null;
    const values = () => Object.fromEntries(inputs.map((input) => [input.name, input.value.trim()]).filter(([, v]) => v));
    return { el, values };
  }

  const testId = (choice) => `action-${String(choice).replace(/[^A-Za-z0-9_-]/g, '-')}`;

  /**
   * Controls to decide an open question, by kind: Retry / Skip / Abort (an escalation; a skip may carry the
   * outputs later steps need, as JSON), Approve / Reject, a task's outputs and Done, or one button per choice.
   * item: { workflowId, question (id), kind, step, choices, requiredOutput }. The receipt, or the workflow's
   * refusal, appears next to the buttons; onDone runs after an accepted decision.
   */
  O.decisionUI = function decisionUI(item, onDone) {
    const message = h('span', { class: 'decision-message', 'data-testid': 'decision-message', role: 'status' });
    const reason = h('input', { type: 'text', placeholder: 'reason (optional)', maxlength: '500', 'data-testid': 'decision-reason' });
    const base = `/api/runs/${encodeURIComponent(item.workflowId)}`;
    const required = item.requiredOutput || [];
    const show = (text, ok) => {
      message.textContent = text;
      message.className = `decision-message ${ok ? 'ok' : 'error'}`;
      message.setAttribute('data-testid', ok ? 'decision-message' : 'decision-error');
    };
    async function decide(verb, body) {
      if (!body) return;
      message.textContent = 'sending…';
      message.className = 'decision-message';
      const reasonText = reason.value.trim();
      const result = await api('POST', `${base}/${verb}`, reasonText ? { ...body, reason: reasonText } : body);
      if (result.ok) {
        show(result.data.message, true);
        if (onDone) onDone();
      } else show(result.data.error || `refused (HTTP ${result.status})`, false);
    }
    const button = (label, choice, onclick, danger) =>
      h('button', { type: 'button', class: danger ? 'danger' : undefined, 'data-testid': testId(choice), onclick }, label);
    const answer = (decision, output) => ({
      question: item.question || undefined,
      decision,
      ...(output && Object.keys(output).length ? { output } : {}),
    });

    const V = O.vocabulary();
    const label = (choice) => choice.charAt(0).toUpperCase() + choice.slice(1);
    const ending = (choice) => V.endingChoices.includes(choice);
    let controls;
    if (item.kind === 'escalation') {
      // A skipped step's outputs (e.g. an adjustment entered by hand) as JSON, prefilled with the keys needed.
      const skipOutput = required.length
        ? h(
            'textarea',
            {
              rows: '2',
              cols: '40',
              spellcheck: 'false',
              'data-testid': 'decision-output',
              'aria-label': `output for ${label(V.skipAction)} (JSON)`,
            },
            JSON.stringify(Object.fromEntries(required.map((k) => [k, '']))),
          )
        : null;
      const bodyFor = (action) => {
        const body = { step: item.step, action };
        if (action !== V.skipAction || !skipOutput) return body;
        try {
          const output = JSON.parse(skipOutput.value || '{}');
          if (typeof output !== 'object' || output === null || Array.isArray(output)) throw new Error('not an object');
          return { ...body, output };
        } catch {
          show(`the output for ${label(V.skipAction)} must be a JSON object of strings, e.g. {"key": "value"}`, false);
          return undefined;
        }
      };
      controls = V.escalationActions.flatMap((action) => [
        action === V.skipAction && skipOutput ? h('label', { class: 'skip-output' }, `output for ${label(action)}: `, skipOutput) : null,
        button(label(action), action, () => decide('resolve', bodyFor(action)), ending(action)),
      ]);
    } else if (item.kind === 'approval') {
      controls = V.approvalChoices.map((choice) => button(label(choice), choice, () => decide('answer', answer(choice)), ending(choice)));
    } else {
      const fields = outputFields(required);
      const choices = item.kind === 'task' ? [V.taskDone] : item.choices || [];
      controls = [
        fields.el,
        ...choices.map((choice) =>
          button(
            label(choice),
            choice,
            () => decide('answer', answer(choice, ending(choice) ? undefined : fields.values())),
            ending(choice),
          ),
        ),
      ];
    }
    return h('div', { class: 'decision', 'data-kind': item.kind }, reason, controls, message);
  };
})(window.Overture);
