/**
 * The console's browser code cannot import the kit's vocabulary, so its graph styles name the step states
 * again: every state a step can be in (bar `pending`, the unstyled default) must have its own look.
 */
import fs from 'node:fs';
import path from 'node:path';
import { STEP_STATES } from '../../workflows/kit/vocabulary';

const css = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'apps', 'console', 'static', 'style.css'), 'utf8');

it.each(STEP_STATES.filter((s) => s !== 'pending'))('styles a graph node in state %s', (state) => {
  expect(css).toMatch(new RegExp(`\\.graph-node\\.state-${state}\\b`));
});

it('leaves fault modes and escalation actions to /api/vocabulary: the browser code spells none of them', () => {
  const dir = path.join(__dirname, '..', '..', 'src', 'apps', 'console', 'static');
  // Every module, pages/ and components/ included.
  const code = (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.js'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
  for (const word of ["'transient:", "'latency:", "'permanent'", "'retry'", "'abort'"]) expect(code).not.toContain(word);
});
