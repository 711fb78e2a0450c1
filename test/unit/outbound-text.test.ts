/**
 * What leaves Overture as chat and email text: Slack-compatible escaping of webhook text and plain email
 * subjects. (The end-to-end check through the real SMTP and webhook receivers is test/e2e/hostile-input.test.ts.)
 */
import { slackText } from '../../activities/kit/chat';
import { plainSubject } from '../../activities/kit/mail';

describe('slackText', () => {
  it.each([
    ['<!channel> hello', '&lt;!channel&gt; hello'],
    ['<!everyone>', '&lt;!everyone&gt;'],
    ['<!here|here>', '&lt;!here|here&gt;'],
    ['<@U024BE7LH>', '&lt;@U024BE7LH&gt;'],
    ['<https://evil.example|sso.company.com>', '&lt;https://evil.example|sso.company.com&gt;'],
    ['R&D &lt;already&gt;', 'R&amp;D &amp;lt;already&amp;gt;'],
  ])('escapes %j', (text, escaped) => {
    expect(slackText(text)).toBe(escaped);
    expect(slackText(text)).not.toMatch(/[<>]/);
  });

  it("keeps Overture's own markup: emoji codes, URLs and line breaks", () => {
    const text = ':wave: Please welcome Ada, joining Engines as engineer. Workspace: https://workspace.local/E1?x=1\n:rotating_light: next';
    expect(slackText(text)).toBe(text.replace('&', '&amp;'));
    expect(slackText(':wave: :rotating_light: :x:')).toBe(':wave: :rotating_light: :x:');
  });
});

describe('plainSubject', () => {
  it('turns CR, LF and every other control or direction character into a space', () => {
    expect(plainSubject('Welcome to the Ops team, Ada\r\nBcc: mallory@evil.example')).toBe(
      'Welcome to the Ops team, Ada Bcc: mallory@evil.example',
    );
    expect(plainSubject('a\u0000b\u001bc\u0085d\u2028e\u202ef')).toBe('a b c d e f');
    expect(plainSubject('New hire\n')).toBe('New hire');
  });

  it('breaks up RFC 2047 encoded words, so no reader decodes text the sender never wrote', () => {
    const subject = plainSubject('Welcome to the =?utf-8?B?UGF5cm9sbCDwn5SQ?= team, =?ISO-8859-1?Q?Ada?=!');
    expect(subject).not.toMatch(/=\?[^?]+\?[BbQq]\?[^?]*\?=/);
    expect(subject).not.toContain('=?');
    expect(subject).toContain('UGF5cm9sbCDwn5SQ');
  });

  it('leaves an ordinary subject alone', () => {
    for (const s of [
      'Welcome to the Analytical Engines team, Zoë!',
      '[Overture] onboarding-E1: approve admin for E1',
      'Month-end close 2026-10: financial statements',
    ]) {
      expect(plainSubject(s)).toBe(s);
    }
  });
});
