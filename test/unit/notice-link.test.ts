/**
 * The console link a worker adds to a notice: its own console URL and the run's path from the workflow.
 */
import { withConsoleLink } from '../../activities/kit/mail';

describe('withConsoleLink', () => {
  it("appends the worker's console URL and the run's path", () => {
    expect(withConsoleLink('Decide with: overture resolve onboarding-E1', 'http://console.local:8080', '/runs/onboarding-E1')).toBe(
      'Decide with: overture resolve onboarding-E1\nOr open http://console.local:8080/runs/onboarding-E1',
    );
    expect(withConsoleLink('text', 'http://console.local:8080/', '/runs/x')).toBe('text\nOr open http://console.local:8080/runs/x');
  });

  it('leaves the text of older runs, which carries its link already, as it is', () => {
    const old = 'Decide with: overture resolve onboarding-E1\nOr open http://127.0.0.1:4000/runs/onboarding-E1';
    expect(withConsoleLink(old, 'http://console.local:8080', undefined)).toBe(old);
  });

  it('adds no link when the worker knows no console', () => {
    expect(withConsoleLink('text', '', '/runs/x')).toBe('text');
    expect(withConsoleLink('text', undefined, '/runs/x')).toBe('text');
  });
});
