/**
 * The data directory and the SQLite files hold personal data (names, addresses, the directory's accounts, the
 * delivery ledger): readable by the user Overture runs as, and nobody else. A file Overture creates is 0600 and a
 * directory 0700 whatever the umask; SQLite gives a database's -wal and -shm files the database file's own mode,
 * so creating the database file 0600 before SQLite opens it covers them too.
 *
 * Existing paths with wider modes: the data directory of the embedded default (OVERTURE_DATA_DIR unset, `.data`)
 * is Overture's own, so its mode and its databases' modes are tightened. A path the operator chose may be shared
 * on purpose (a backup group, a mounted volume): Overture warns instead of changing someone else's permissions.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Owner only: read, write and (for a directory) enter. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Permission bits for group and others. */
const SHARED_BITS = 0o077;

/** A SQLite database and its companions (-wal, -shm, -journal). */
const DATABASE_FILE = /\.db(-wal|-shm|-journal)?$/;

/** Creates the directory and its missing parents, each 0700; an existing one is left as it is. */
export function makePrivateDir(dir: string): void {
  const firstCreated = fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (firstCreated === undefined) return;
  // mkdir's mode passes through the umask, which only narrows it; chmod states it whatever the umask.
  for (let created = path.resolve(dir); ; created = path.dirname(created)) {
    fs.chmodSync(created, PRIVATE_DIR_MODE);
    if (created === path.resolve(firstCreated)) break;
  }
}

/** Creates the file empty and 0600 when it is missing (a race with another process is fine: its file is 0600 too). */
export function createPrivateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * Makes the data directory private: created 0700 when missing; when it exists with group or other access, and
 * with it the databases in it, tightened when it is Overture's own (`ownDirectory`), else reported through `warn`.
 */
export function secureDataDir(dir: string, opts: { ownDirectory: boolean; log: (line: string) => void }): void {
  if (!fs.existsSync(dir)) {
    makePrivateDir(dir);
    return;
  }
  const wide = [
    dir,
    ...fs
      .readdirSync(dir)
      .filter((name) => DATABASE_FILE.test(name))
      .map((name) => path.join(dir, name)),
  ]
    .map((file) => ({ file, mode: fs.statSync(file).mode }))
    .filter(({ mode }) => (mode & SHARED_BITS) !== 0);
  if (wide.length === 0) return;
  if (opts.ownDirectory) {
    for (const { file, mode } of wide) fs.chmodSync(file, (mode & fs.constants.S_IFDIR) !== 0 ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
    opts.log(
      `made ${wide.map(({ file, mode }) => `${path.relative(dir, file) || dir} (was ${octal(mode)})`).join(', ')} readable by this user only`,
    );
    return;
  }
  opts.log(
    `warning: ${wide.map(({ file, mode }) => `${file} (${octal(mode)})`).join(', ')} can be read by other users; the data directory ` +
      'holds personal data: chmod 700 the directory and 600 its .db files (OVERTURE_DATA_DIR is yours, so Overture leaves it as it is)',
  );
}
