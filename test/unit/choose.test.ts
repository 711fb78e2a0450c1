/**
 * "Which approach should you use?": the questionnaire's recommendation from answers, the installed process it
 * points at (read from the shapes, one per approach), the refusals of wrong answers, and `overture choose` asking a
 * person the questions it was not given.
 */
import {
  approachExamples,
  chainLength,
  checkAnswers,
  parallelWidth,
  questionnaire,
  QUESTIONS,
  recommend,
  type ProcessSummary,
} from '../../src/choose';
import { installedProcesses } from '../../src/choose/installed';
import { askMissing, choose } from '../../src/apps/cli/commands/choose';
import type { Io } from '../../src/apps/cli/io';
import { InputError } from '../../workflows/kit/input';
import { defineShape, type ProcessShape } from '../../workflows/kit/shape';

const SEQUENTIAL = {
  complexity: 'simple',
  parallel: 'no',
  trigger: 'itself',
  owners: 'one-team',
  tracing: 'essential',
  priority: 'simplicity',
};
const DAG = { ...SEQUENTIAL, complexity: 'dependencies', parallel: 'yes', priority: 'speed' };
const EVENTS = { ...SEQUENTIAL, complexity: 'open-ended', trigger: 'outside', owners: 'many-teams', tracing: 'tolerable' };

const installed = installedProcesses();

function captured(isTty = false): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), readStdin: () => '', isTty };
}

describe('the questionnaire', () => {
  it('lists its questions with their options, without their weights', () => {
    const { questions } = questionnaire();
    expect(questions.map((q) => q.id)).toEqual(['complexity', 'parallel', 'trigger', 'owners', 'tracing', 'priority']);
    expect(questions[0]).toEqual({
      id: 'complexity',
      text: 'How complex is your workflow?',
      options: [
        { value: 'simple', label: 'A handful of steps, always in the same order' },
        { value: 'dependencies', label: 'Many steps, each needing only some of the others' },
        { value: 'open-ended', label: 'Steps come and go; others add their own as the business changes' },
      ],
    });
  });

  it.each([
    ['sequential', SEQUENTIAL, 'data-pipeline'],
    ['dag', DAG, 'onboarding'],
    ['event-driven', EVENTS, 'content-publishing'],
  ])('recommends %s with the reasons the answers gave and the installed process that shows it', (approach, answers, example) => {
    const r = recommend(answers, installed);
    expect(r.approach).toBe(approach);
    expect(r.example).toEqual({
      process: example,
      title: installed.find((p) => p.shape.name === example)!.shape.title,
      path: `workflows/${example}/`,
    });
    // One reason per answer that favours it, then the seed's pro and con of the approach.
    const favouring = QUESTIONS.filter(
      (q) => (q.options.find((o) => o.value === answers[q.id as keyof typeof answers])!.favours[approach as 'dag'] ?? 0) > 0,
    );
    expect(r.reasons).toHaveLength(favouring.length + 2);
    expect(r.reasons.at(-1)).toMatch(/^Mind that: /);
  });

  it('gives a tie to the simpler approach: start simple', () => {
    // sequential: no 1 + itself 1 + one-team 1 + essential 1 + simplicity 1 = 5; dag: dependencies 2 + itself 1 + one-team 1 + essential 1 = 5.
    const tie = { ...SEQUENTIAL, complexity: 'dependencies' };
    expect(recommend(tie, installed).approach).toBe('sequential');
  });

  it('refuses missing questions, unknown values and unknown questions, naming each', () => {
    const refused = () => checkAnswers({ complexity: 'huge', owners: 'one-team', colour: 'blue' });
    expect(refused).toThrow(InputError);
    try {
      refused();
    } catch (err) {
      expect((err as InputError).problems).toEqual([
        'complexity: must be one of simple, dependencies, open-ended',
        'parallel: not answered (Could some steps run at the same time, because they do not need each other? yes, no)',
        'trigger: not answered (Once a run has started, what moves it forward? itself, outside)',
        'tracing: not answered (How easily must anyone trace a run step by step and see why it is stuck? essential, tolerable)',
        'priority: not answered (What matters more? speed, simplicity)',
        'colour: no such question; questions are complexity, parallel, trigger, owners, tracing, priority',
      ]);
    }
    expect(() => checkAnswers(['simple'])).toThrow('answers: must be an object');
    expect(() => checkAnswers({ ...SEQUENTIAL, ['__proto__']: 'x' })).toThrow('__proto__: no such question');
  });
});

describe('the process that shows an approach', () => {
  const summary = (shape: ProcessShape, eventTypes: string[] = []): ProcessSummary => ({
    shape,
    eventTypes,
    path: `workflows/${shape.name}/`,
  });
  const chain = summary(
    defineShape({
      name: 'chain',
      title: 'chain',
      steps: {
        a: { title: 'a', kind: 'activity' },
        b: { title: 'b', kind: 'activity', needs: ['a'] },
        c: { title: 'c', kind: 'activity', needs: ['b'] },
      },
    }),
  );
  const fan = summary(
    defineShape({
      name: 'fan',
      title: 'fan',
      steps: {
        a: { title: 'a', kind: 'activity' },
        b: { title: 'b', kind: 'activity', needs: ['a'] },
        c: { title: 'c', kind: 'activity', needs: ['a'] },
        d: { title: 'd', kind: 'activity', needs: ['b', 'c'] },
      },
    }),
  );
  const waits = summary(
    defineShape({
      name: 'waits',
      title: 'waits',
      steps: { a: { title: 'a', kind: 'activity' }, e: { title: 'e', kind: 'event', needs: ['a'] } },
    }),
    ['thing.happened'],
  );

  it('is read from the shapes: the widest graph for a DAG, events for event-driven, the narrowest chain for a sequence', () => {
    expect([chain, fan, waits].map((p) => [parallelWidth(p.shape), chainLength(p.shape)])).toEqual([
      [1, 3],
      [2, 3],
      [1, 2],
    ]);
    expect(approachExamples([chain, fan, waits])).toEqual({
      sequential: { process: 'chain', title: 'chain', path: 'workflows/chain/' },
      dag: { process: 'fan', title: 'fan', path: 'workflows/fan/' },
      'event-driven': { process: 'waits', title: 'waits', path: 'workflows/waits/' },
    });
  });

  it('is the one there is when only one process is installed', () => {
    expect(approachExamples([chain])).toEqual({
      sequential: { process: 'chain', title: 'chain', path: 'workflows/chain/' },
      dag: { process: 'chain', title: 'chain', path: 'workflows/chain/' },
      'event-driven': { process: 'chain', title: 'chain', path: 'workflows/chain/' },
    });
  });
});

describe('overture choose', () => {
  it('asks a person each question it was not given, by number or value, until the reply is an option', async () => {
    const replies = ['2', 'maybe', '9', 'yes', '1', '1', 'essential', 'speed'];
    const prompts: string[] = [];
    const io = captured(true);
    const answers = await askMissing(
      {},
      async (prompt) => {
        prompts.push(prompt);
        return replies.shift()!;
      },
      io,
    );
    expect(answers).toEqual({
      complexity: 'dependencies',
      parallel: 'yes',
      trigger: 'itself',
      owners: 'one-team',
      tracing: 'essential',
      priority: 'speed',
    });
    expect(prompts[0]).toBe(
      'How complex is your workflow?\n' +
        '  1) A handful of steps, always in the same order\n' +
        '  2) Many steps, each needing only some of the others\n' +
        '  3) Steps come and go; others add their own as the business changes\n> ',
    );
    expect(io.err).toEqual(['Type a number from 1 to 2.', 'Type a number from 1 to 2.']);
  });

  it('asks only what --answer left out, and prints the recommendation for a person', async () => {
    const io = captured(true);
    const asked: string[] = [];
    const args = Object.entries(DAG)
      .filter(([question]) => question !== 'complexity')
      .flatMap(([k, v]) => ['--answer', `${k}=${v}`]);
    const code = await choose(args, io, async (prompt) => {
      asked.push(prompt.split('\n')[0]!);
      return 'dependencies';
    });
    expect(code).toBe(0);
    expect(asked).toEqual(['How complex is your workflow?']);
    expect(io.out.join('\n')).toMatch(/^Recommended: a DAG \(dag\)\n\nWhy:\n {2}- /);
    expect(io.out.join('\n')).toContain('See it here: onboarding (Employee onboarding), its code in workflows/onboarding/');
  });

  it('refuses a wrong answer before asking anything', async () => {
    const ask = jest.fn(async () => '1');
    await expect(choose(['--answer', 'parallel=perhaps'], captured(true), ask)).rejects.toThrow('parallel: must be one of yes, no');
    expect(ask).not.toHaveBeenCalled();
  });
});
