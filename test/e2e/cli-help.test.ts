/**
 * `overture COMMAND --help` as a person types it, through bin/overture.js: offline and with no file written, even
 * where Temporal does not answer (list --help used to wait ~11 s and fail) and in an empty directory
 * (operators --help used to create operators.db there).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BIN = path.join(__dirname, '..', '..', 'bin', 'overture.js');

it.each([['list'], ['operators'], ['systems'], ['keys']])('%s --help answers offline and writes nothing', (name) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-help-'));
  try {
    // An address that never answers (a connection attempt would hang until its deadline), an empty home, and the data
    // directory left to its default (.data in the working directory).
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, TEMPORAL_ADDRESS: '10.255.255.1:7233', OVERTURE_TOKEN: '' };
    delete env.OVERTURE_DATA_DIR;
    const result = spawnSync(process.execPath, [BIN, name, '--help'], { cwd: dir, encoding: 'utf8', env, timeout: 60_000 });
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^usage: overture ${name} `));
    expect(fs.readdirSync(dir)).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
