/**
 * `overture deployment`: rolling out a new build of the workers (docs/versioning.md).
 *
 *   deployment list                                   the namespace's worker deployments and their current build
 *   deployment describe [--deployment NAME]           each build: current, ramping, draining or drained
 *   deployment set-current BUILD_ID [--deployment NAME]   new runs start on BUILD_ID (role admin)
 *   deployment ramp BUILD_ID PERCENT | --clear [--deployment NAME]   a share of new runs to BUILD_ID, or end the ramp
 *
 * Changes need the role admin and are sent with the operator's name as their identity, which `describe` shows.
 */
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { OvertureConfig } from '../../../config/platform';
import { authorisedCaller } from '../identity';
import { UsageError, type Io } from '../io';
import { printable } from '../../../../workflows/kit/safe-text';
import { printJson, type CliCommand, type CliEnv } from '../command';
import { isBuildId } from '../../../temporal/deployments/settings';
import {
  DeploymentError,
  describeDeployment,
  listDeployments,
  setCurrentBuild,
  setRampingBuild,
  type BuildSummary,
  type DeploymentDescription,
  type RoutingChange,
  type Routing,
} from '../../../temporal/deployments/deployments';

const DEPLOYMENT_USAGE = `usage: overture deployment list [--json]
                                   worker deployments and the build that takes new runs
       overture deployment describe [--deployment NAME] [--json]
                                   each build: current, ramping, draining (pinned runs open) or drained
       overture deployment set-current BUILD_ID [--deployment NAME] [--json]
                                   new runs start on BUILD_ID; running ones stay on theirs (role admin)
       overture deployment ramp BUILD_ID PERCENT | --clear [--deployment NAME] [--json]
                                   PERCENT % of new runs to BUILD_ID, or end the ramp (role admin)

  --deployment NAME   the worker deployment (default OVERTURE_DEPLOYMENT_NAME)
  --json              list: [{name, routing, latestBuild?}]; describe: {name, routing, lastModifiedBy?, builds: [{buildId,
                      status, ...}]}; set-current and ramp: {deployment, changed, before: routing, after: routing}
                      (routing: {current?, ramping?: {buildId?, percentage}})`;

function usage(message: string): never {
  throw new UsageError(`${message}\n${DEPLOYMENT_USAGE}`);
}

/** A build id argument, checked as OVERTURE_BUILD_ID is (a UsageError, exit 2, otherwise). */
function buildIdArgument(text: string | undefined, verb: string): string {
  if (text === undefined) usage(`${verb} takes a BUILD_ID`);
  if (!isBuildId(text))
    usage(`"${printable(text)}" is not a build id: 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  return text;
}

/** A ramp's share of new runs: 0 to 100, decimals allowed (a UsageError, exit 2, otherwise). */
function percentArgument(text: string | undefined): number {
  if (text === undefined || !/^\d{1,3}(\.\d+)?$/.test(text) || Number(text) > 100)
    usage(`ramp takes a PERCENT from 0 to 100, not "${printable(text ?? '')}"`);
  return Number(text);
}

/** Where new runs go, e.g. `build v2; 25% to build v3`. */
function routingText(routing: Routing): string {
  const current = routing.current ? `build ${routing.current}` : 'unversioned workers';
  const ramp = routing.ramping
    ? `${routing.ramping.percentage}% to ${routing.ramping.buildId ? `build ${routing.ramping.buildId}` : 'unversioned workers'}`
    : 'no ramp';
  return `${current}; ${ramp}`;
}

const routingLine = (routing: Routing) => `new runs: ${routingText(routing)}`;

/** What an operator does about one build, from its status and drainage. */
function buildAdvice(b: BuildSummary): string {
  if (b.status === 'current') return `takes new runs${b.currentSince ? ` since ${b.currentSince}` : ''}`;
  if (b.status === 'ramping') return `takes a share of new runs${b.rampingSince ? ` since ${b.rampingSince}` : ''}`;
  if (b.status === 'drained' || b.drainage === 'drained')
    return `no open run is pinned to it${b.drainageChangedAt ? ` (since ${b.drainageChangedAt})` : ''}: its workers may be stopped`;
  if (b.status === 'draining' || b.drainage === 'draining') {
    return `runs pinned to it may still be open${b.drainageCheckedAt ? ` (last checked ${b.drainageCheckedAt})` : ''}: keep its workers running`;
  }
  if (b.status === 'inactive') return 'has never taken new runs';
  return b.status;
}

function formatDescription(d: DeploymentDescription, namespace: string): string {
  const width = Math.max(8, ...d.builds.map((b) => b.buildId.length));
  const lines = [
    `deployment ${d.name} (namespace ${namespace})`,
    routingLine(d.routing),
    ...(d.lastModifiedBy ? [`last changed by ${d.lastModifiedBy}`] : []),
    `${'BUILD'.padEnd(width)}  ${'STATUS'.padEnd(8)}  MEANING`,
    ...d.builds.map((b) => `${b.buildId.padEnd(width)}  ${b.status.padEnd(8)}  ${buildAdvice(b)}`),
  ];
  return printable(lines.join('\n'), { keepNewlines: true });
}

function formatChange(name: string, change: RoutingChange): string {
  if (!change.changed) return `deployment ${name} unchanged: ${routingLine(change.after)}`;
  const left = change.before.current;
  const drain =
    left && left !== change.after.current
      ? `; runs pinned to ${left} finish there: watch it drain with overture deployment describe, then stop its workers`
      : '';
  return `deployment ${name}: ${routingLine(change.after)} (was: ${routingText(change.before)})${drain}`;
}

async function run(client: Client, config: OvertureConfig, verb: string, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { deployment: { type: 'string' }, json: { type: 'boolean' }, clear: { type: 'boolean' } },
  });
  const name = values.deployment ?? config.OVERTURE_DEPLOYMENT_NAME;
  if (verb === 'list') {
    if (positionals.length) usage('list takes no arguments');
    const listed = await listDeployments(client);
    if (values.json) io.stdout(JSON.stringify(listed, null, 2));
    else if (listed.length === 0)
      io.stdout(
        `no worker deployments in namespace ${config.TEMPORAL_NAMESPACE}: workers run unversioned until one starts with OVERTURE_BUILD_ID`,
      );
    else
      for (const d of listed)
        io.stdout(printable(`${d.name}  ${routingLine(d.routing)}${d.latestBuild ? `; latest build ${d.latestBuild}` : ''}`));
    return 0;
  }
  if (verb === 'describe') {
    if (positionals.length) usage('describe takes no arguments (name the deployment with --deployment)');
    const description = await describeDeployment(client, name);
    io.stdout(values.json ? JSON.stringify(description, null, 2) : formatDescription(description, config.TEMPORAL_NAMESPACE));
    return 0;
  }
  if (verb === 'set-current') {
    if (positionals.length !== 1) usage('set-current takes one BUILD_ID');
    const buildId = buildIdArgument(positionals[0], 'set-current');
    const identity = await authorisedCaller(config, 'admin', 'changing which build takes new runs');
    const change = await setCurrentBuild(client, name, buildId, `overture-cli:${identity.operator}`);
    if (values.json) printJson(io, { deployment: name, ...change });
    else io.stdout(printable(formatChange(name, change)));
    return 0;
  }
  // ramp
  if (values.clear ? positionals.length !== 0 : positionals.length !== 2) usage('ramp takes BUILD_ID PERCENT, or --clear');
  const buildId = values.clear ? undefined : buildIdArgument(positionals[0], 'ramp');
  const percentage = values.clear ? 0 : percentArgument(positionals[1]);
  const identity = await authorisedCaller(config, 'admin', 'changing which build takes new runs');
  const change = await setRampingBuild(client, name, buildId, percentage, `overture-cli:${identity.operator}`);
  if (values.json) printJson(io, { deployment: name, ...change });
  else io.stdout(printable(formatChange(name, change)));
  return 0;
}

/** Runs `overture deployment ...`; returns the exit code (1 with the reason when Temporal cannot do the change). */
export async function deployment(env: CliEnv, args: string[], io: Io): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== 'list' && verb !== 'describe' && verb !== 'set-current' && verb !== 'ramp')
    usage(`deployment takes list, describe, set-current or ramp, not "${printable(verb ?? '')}"`);
  try {
    return await run(await env.client(), env.config(), verb, rest, io);
  } catch (err) {
    // Said here, not by the CLI's catch-all: that one reads any "not found" as a missing run.
    if (err instanceof DeploymentError) {
      io.stderr(err.message);
      return 1;
    }
    throw err;
  }
}

/** `overture deployment ...`. */
export const command: CliCommand = {
  name: 'deployment',
  summary: 'worker builds: which one takes new runs, ramps, draining',
  usage: DEPLOYMENT_USAGE,
  verbs: ['list', 'describe', 'set-current', 'ramp'],
  options: ['deployment=', 'clear', 'json'],
  run: (args, io, env) => deployment(env, args, io),
};
