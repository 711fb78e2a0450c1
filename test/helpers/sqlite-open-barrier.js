/**
 * Preloaded into worker processes (NODE_OPTIONS=--require) by tests of concurrent starts: each SQLite open of the
 * process waits until every process of the test has reached the same open, so that the opens race within a
 * millisecond rather than being spread out by the processes' different start-up times. Set
 * OVERTURE_TEST_OPEN_BARRIER to a directory: before its n-th open a process writes ready-<n>-<pid> there, then
 * waits for the file go-<n> (the test writes it once every process is ready for that open).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.OVERTURE_TEST_OPEN_BARRIER;
if (dir) {
  const Original = require('better-sqlite3');
  const wait = new Int32Array(new SharedArrayBuffer(4));
  let opens = 0;
  function Database(...args) {
    const n = opens++;
    fs.writeFileSync(path.join(dir, `ready-${n}-${process.pid}`), '');
    const deadline = Date.now() + 300_000;
    while (!fs.existsSync(path.join(dir, `go-${n}`)) && Date.now() < deadline) Atomics.wait(wait, 0, 0, 1);
    return new Original(...args);
  }
  Database.prototype = Original.prototype;
  Object.setPrototypeOf(Database, Original);
  require.cache[require.resolve('better-sqlite3')].exports = Database;
}
