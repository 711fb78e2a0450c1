/**
 * URLs as they may appear in an error message or a log line: without their credentials. A configured URL can
 * carry them (`postgresql://overture:PASSWORD@db`, `https://user:TOKEN@hooks.example`, `smtp://user:pass@relay`),
 * and so can a message that quotes one (Node's fetch refuses such a URL with an error that repeats it whole).
 *
 * The whole userinfo goes, not just the password: in `https://TOKEN@host` the "user name" is the secret.
 */

/** Query parameters that carry a password (node-postgres reads `?password=`). */
const SECRET_PARAMS = ['password'];

/** The URL with its userinfo replaced by `***` (and a `?password=` by `***`), fit for logs and error messages. */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return '(an unparsable URL)';
  }
  if (url.username || url.password) {
    url.username = '***';
    url.password = '';
  }
  for (const name of SECRET_PARAMS) if (url.searchParams.has(name)) url.searchParams.set(name, '***');
  return url.toString();
}

/** `scheme://userinfo@` anywhere in a text; the userinfo runs to the last `@` before the path (a password may hold one). */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;
const SECRET_PARAM = new RegExp(`([?&](?:${SECRET_PARAMS.join('|')})=)[^&#\\s]*`, 'gi');

/** The text with the credentials of every URL in it replaced by `***`: for messages that may quote a URL (a library's error). */
export function redactUrlsIn(text: string): string {
  return text.replace(USERINFO, '$1***@').replace(SECRET_PARAM, '$1***');
}
