/**
 * The docker compose CLI plugin link (src/tools/deploy-tools/compose-plugin.ts): made where the Docker CLI looks
 * (DOCKER_CONFIG), moved to a new build, and never put over a plugin someone installed as a file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ComposePluginUnavailableError, cliPluginsDir, linkCliPlugin } from '../../src/tools/deploy-tools/compose-plugin';

describe('linkCliPlugin', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-plugin-'));
    env = { DOCKER_CONFIG: path.join(dir, 'docker') };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const build = (name: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
    return file;
  };

  it('links the build as $DOCKER_CONFIG/cli-plugins/docker-compose, and moves the link to a newer build', async () => {
    const link = await linkCliPlugin(build('v1'), env);
    expect(link).toBe(path.join(dir, 'docker', 'cli-plugins', 'docker-compose'));
    expect(cliPluginsDir(env)).toBe(path.dirname(link));
    expect(fs.readlinkSync(link)).toBe(path.join(dir, 'v1'));
    await linkCliPlugin(build('v2'), env);
    expect(fs.readlinkSync(link)).toBe(path.join(dir, 'v2'));
    expect(fs.readdirSync(path.dirname(link))).toEqual(['docker-compose']);
  });

  it('leaves a plugin installed as a file alone, and says so', async () => {
    fs.mkdirSync(cliPluginsDir(env), { recursive: true });
    const theirs = path.join(cliPluginsDir(env), 'docker-compose');
    fs.writeFileSync(theirs, 'their plugin');
    await expect(linkCliPlugin(build('v1'), env)).rejects.toThrow(ComposePluginUnavailableError);
    expect(fs.readFileSync(theirs, 'utf8')).toBe('their plugin');
  });
});
