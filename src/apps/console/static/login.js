// @ts-check
/* The sign-in page: prefills the token from the URL fragment (never sent to the server), then forgets it. */

const form = document.getElementById('login-form');
const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
if (form && match) {
  const input = form.querySelector('input[name="token"]');
  if (input instanceof HTMLInputElement) input.value = decodeURIComponent(match[1] ?? '');
  history.replaceState(null, '', location.pathname);
}
