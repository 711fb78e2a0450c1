/**
 * The CSP source that allows index.html's inline import map and nothing else inline: its SHA-256 (browsers load an
 * import map only inline). The map names the vendored libraries (static-files.ts); it changes only with a release.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** `'sha256-…'` of the import map's text in static/index.html. */
export function importMapHashSource(indexFile = path.join(__dirname, 'static', 'index.html')): string {
  const html = fs.readFileSync(indexFile, 'utf8');
  const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  if (!map) throw new Error(`${indexFile} has no import map`);
  return `'sha256-${crypto.createHash('sha256').update(map[1]!, 'utf8').digest('base64')}'`;
}
