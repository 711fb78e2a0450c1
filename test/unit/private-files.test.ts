/**
 * SQLite files hold personal data: the files Overture creates are 0600 (with SQLite's -wal and -shm) in a 0700
 * directory; an existing data directory is tightened when it is Overture's own and warned about when it is not.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteDirectory } from '../../src/stores/directory/sqlite-directory';
import { secureDataDir } from '../../src/stores/private-files';
import { acquireInstanceLock } from '../../src/tools/dev-stack/instance-lock';

const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

let root: string;
let umask: number;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-modes-'));
  // The usual umask, which lets mkdir and open make 0755 and 0644.
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the SQLite files Overture creates', () => {
  it('are 0600, with their -wal and -shm, in data directories made 0700', async () => {
    const dataDir = path.join(root, 'data', 'hosts');
    const file = path.join(dataDir, 'directory.db');
    const directory = new SqliteDirectory(file, 'https://workspaces.example');
    try {
      await directory.createAccount({
        employeeId: 'E1',
        fullName: 'Ada Lovelace',
        email: 'ada@example.com',
        role: 'engineer',
        team: 'Platform',
      });
      expect(fs.existsSync(`${file}-wal`)).toBe(true);
      expect([file, `${file}-wal`, `${file}-shm`].map(modeOf)).toEqual(['600', '600', '600']);
      expect([path.join(root, 'data'), dataDir].map(modeOf)).toEqual(['700', '700']);
    } finally {
      directory.db.close();
    }
  });

  it("npm start's instance lock creates the data directory 0700", () => {
    const dataDir = path.join(root, '.data');
    const lock = acquireInstanceLock(path.join(dataDir, 'overture.pid'), {
      temporalAddress: '127.0.0.1:1',
      temporalUiUrl: 'http://127.0.0.1:2',
    });
    try {
      expect(modeOf(dataDir)).toBe('700');
    } finally {
      lock.release();
    }
  });
});

describe('an existing data directory that others can read', () => {
  /** A data directory as an earlier Overture left it: 0755, its databases 0644. */
  function openDataDir(): string {
    const dir = path.join(root, '.data');
    fs.mkdirSync(dir, { mode: 0o755 });
    for (const name of ['overture.db', 'overture.db-wal', 'admin-notes.txt']) fs.writeFileSync(path.join(dir, name), '', { mode: 0o644 });
    return dir;
  }

  it("is tightened, with its databases, when it is Overture's own (the default .data)", () => {
    const dir = openDataDir();
    const lines: string[] = [];
    secureDataDir(dir, { ownDirectory: true, log: (line) => lines.push(line) });
    expect([dir, 'overture.db', 'overture.db-wal'].map((f) => modeOf(path.resolve(dir, f)))).toEqual(['700', '600', '600']);
    // Not a database: left alone (it is unreachable now anyway, inside a 0700 directory).
    expect(modeOf(path.join(dir, 'admin-notes.txt'))).toBe('644');
    expect(lines).toEqual([`made ${dir} (was 0755), overture.db (was 0644), overture.db-wal (was 0644) readable by this user only`]);
  });

  it('is warned about, and left as it is, when the operator chose it (OVERTURE_DATA_DIR)', () => {
    const dir = openDataDir();
    const lines: string[] = [];
    secureDataDir(dir, { ownDirectory: false, log: (line) => lines.push(line) });
    expect([dir, 'overture.db'].map((f) => modeOf(path.resolve(dir, f)))).toEqual(['755', '644']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^warning: .*\.data \(0755\), .*overture\.db \(0644\), .*overture\.db-wal \(0644\) can be read by other users/,
    );
  });

  it('is created 0700 when missing, and a private one is left without a word', () => {
    const dir = path.join(root, 'fresh');
    const lines: string[] = [];
    secureDataDir(dir, { ownDirectory: false, log: (line) => lines.push(line) });
    secureDataDir(dir, { ownDirectory: false, log: (line) => lines.push(line) });
    expect(modeOf(dir)).toBe('700');
    expect(lines).toEqual([]);
  });
});
