/**
 * `overture keys list|rotate`: the payload encryption keys (src/temporal/codec). Works on the key file alone, without
 * Temporal; whoever may write the key file may rotate. Key material is never printed.
 */
import { parseArgs } from 'node:util';
import type { OvertureConfig } from '../../../config/platform';
import { listKeys, rotateKeys } from '../../../temporal/codec/key-file';
import { UsageError, type Io } from '../io';
import { printJson, type CliCommand } from '../command';

const KEYS_USAGE = `usage: overture keys list [--json]      payload encryption key ids, which one is current
       overture keys rotate [--json]    add a key and make it current (old keys still decrypt)

Works on the key file alone (or OVERTURE_CODEC_KEYS), without Temporal; key material is never printed.

  --json   list: {source, current, keys: [id]}; rotate: {file, current, previous?}`;

/** Runs `overture keys ...`; returns the exit code. */
export function keys(config: OvertureConfig, args: string[], io: Io): number {
  const [verb, ...rest] = args;
  if (verb === 'list') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean' } } });
    if (positionals.length) throw new UsageError('keys list takes no arguments');
    const listed = listKeys(config);
    if (values.json) {
      io.stdout(JSON.stringify({ source: listed.source, current: listed.current, keys: listed.ids }, null, 2));
      return 0;
    }
    io.stdout(`keys in ${listed.source}:`);
    for (const id of listed.ids) io.stdout(`  ${id}${id === listed.current ? '  (current: encrypts new data)' : ''}`);
    return 0;
  }
  if (verb === 'rotate') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean' } } });
    if (positionals.length) throw new UsageError('keys rotate takes no arguments');
    const rotated = rotateKeys(config);
    if (values.json) {
      printJson(io, rotated);
      return 0;
    }
    io.stdout(
      rotated.previous
        ? `added key ${rotated.current} to ${rotated.file}; it is now current (${rotated.previous} and older keys still decrypt).\n` +
            'Running workers, consoles and stacks read it when they first meet it; restart them to encrypt with it.'
        : `created ${rotated.file} with key ${rotated.current}`,
    );
    return 0;
  }
  throw new UsageError(KEYS_USAGE);
}

/** `overture keys list|rotate`. */
export const command: CliCommand = {
  name: 'keys',
  summary: 'payload encryption keys: list them, rotate to a new one',
  usage: KEYS_USAGE,
  verbs: ['list', 'rotate'],
  options: ['json'],
  run: (args, io, env) => keys(env.config(), args, io),
};
