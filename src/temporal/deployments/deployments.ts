/**
 * Worker Deployments through Temporal's WorkflowService: which builds of a deployment there are, which one takes
 * new runs (current, and a ramping one for a share of them), and whether an old build still has pinned runs open
 * (draining) or none (drained: its workers may be stopped).
 */
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { optionalTsToDate } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

type RawVersionSummary = temporal.api.deployment.v1.WorkerDeploymentInfo.WorkerDeploymentVersionSummary.$Properties;
type RawRoutingConfig = temporal.api.deployment.v1.RoutingConfig.$Properties;
type RawTimestamp = Parameters<typeof optionalTsToDate>[0];

const ENUMS = temporal.api.enums.v1;
// gRPC status codes the deployment calls answer with.
const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;
// What Temporal calls the unversioned workers when they are the current or ramping "version".
const UNVERSIONED = '__unversioned__';

/** A deployment command that cannot be done as asked; its message says why and what to do. Exit code 1. */
export class DeploymentError extends Error {
  override readonly name = 'DeploymentError';
}

/** One build of a deployment, as an operator needs to see it. */
export interface BuildSummary {
  buildId: string;
  /** current, ramping, draining (runs pinned to it still open), drained (none), inactive (never took new runs). */
  status: string;
  /** Whether pinned runs may still be open on it: `draining` until Temporal finds none, then `drained`. */
  drainage?: string;
  drainageChangedAt?: string;
  drainageCheckedAt?: string;
  createdAt?: string;
  currentSince?: string;
  rampingSince?: string;
}

/** Where new runs go: the current build (or `unversioned` workers) and a ramping build with its share. */
export interface Routing {
  /** The current build id; undefined while no build is current (new runs go to unversioned workers). */
  current?: string;
  /** The ramping build and its share of new runs; a ramp without buildId sends that share to unversioned workers. */
  ramping?: { buildId?: string; percentage: number };
  changedAt?: string;
}

export interface DeploymentDescription {
  name: string;
  createdAt?: string;
  routing: Routing;
  /** Who changed the routing last (the identity an `overture deployment` command sends: `overture-cli:<operator>`). */
  lastModifiedBy?: string;
  builds: BuildSummary[];
}

export interface DeploymentListing {
  name: string;
  createdAt?: string;
  routing: Routing;
  latestBuild?: string;
}

const iso = (ts: RawTimestamp): string | undefined => optionalTsToDate(ts)?.toISOString();

/** The lower-case word of a proto enum value: WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING → draining. */
function enumWord(names: Record<number, string>, value: number | null | undefined, prefix: string): string | undefined {
  const name = value === null || value === undefined ? undefined : names[value];
  if (!name || name.endsWith('_UNSPECIFIED')) return undefined;
  return name.slice(prefix.length).toLowerCase();
}

function routingOf(raw: RawRoutingConfig | null | undefined): Routing {
  const current = raw?.currentDeploymentVersion?.buildId || undefined;
  const rampingBuild = raw?.rampingDeploymentVersion?.buildId || undefined;
  const percentage = raw?.rampingVersionPercentage ?? 0;
  // A ramp to the unversioned workers has no build; Temporal still names it in the deprecated string field.
  const ramping = rampingBuild ? { buildId: rampingBuild, percentage } : raw?.rampingVersion === UNVERSIONED ? { percentage } : undefined;
  const changedAt = iso(raw?.currentVersionChangedTime);
  return {
    ...(current ? { current } : {}),
    ...(ramping ? { ramping } : {}),
    ...(changedAt ? { changedAt } : {}),
  };
}

function buildOf(raw: RawVersionSummary): BuildSummary {
  const status = enumWord(ENUMS.WorkerDeploymentVersionStatus, raw.status, 'WORKER_DEPLOYMENT_VERSION_STATUS_') ?? 'unknown';
  const drainage = enumWord(ENUMS.VersionDrainageStatus, raw.drainageInfo?.status ?? raw.drainageStatus, 'VERSION_DRAINAGE_STATUS_');
  const fields: Array<[keyof BuildSummary, string | undefined]> = [
    ['drainage', drainage],
    ['drainageChangedAt', iso(raw.drainageInfo?.lastChangedTime)],
    ['drainageCheckedAt', iso(raw.drainageInfo?.lastCheckedTime)],
    ['createdAt', iso(raw.createTime)],
    ['currentSince', iso(raw.currentSinceTime)],
    ['rampingSince', iso(raw.rampingSinceTime)],
  ];
  return { buildId: raw.deploymentVersion?.buildId ?? '', status, ...Object.fromEntries(fields.filter(([, v]) => v !== undefined)) };
}

/** The gRPC status code of a refused call (a plain number: grpc-js's enum is not a dependency here). */
function grpcCode(err: unknown): number | undefined {
  return isGrpcServiceError(err) ? Number(err.code) : undefined;
}

/** The server's own words for a refused call, without the gRPC code prefix. */
function detailsOf(err: unknown): string {
  if (isGrpcServiceError(err)) return err.details || err.message;
  return err instanceof Error ? err.message : String(err);
}

/** Every Worker Deployment of the client's namespace, with where its new runs go. */
export async function listDeployments(client: Client): Promise<DeploymentListing[]> {
  const listed: DeploymentListing[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkerDeployments({ namespace: client.options.namespace, pageSize: 100, nextPageToken });
    for (const d of page.workerDeployments ?? []) {
      const createdAt = iso(d.createTime);
      const latestBuild = d.latestVersionSummary?.deploymentVersion?.buildId || undefined;
      listed.push({
        name: d.name ?? '',
        ...(createdAt ? { createdAt } : {}),
        routing: routingOf(d.routingConfig),
        ...(latestBuild ? { latestBuild } : {}),
      });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return listed.sort((a, b) => a.name.localeCompare(b.name));
}

// How often a describe is tried again when the server answers "not found" for a deployment it lists: the
// deployment's entity workflow is briefly unavailable while it applies a routing change or continues as new
// (Temporal's worker controller treats that NotFound as temporary too).
const DESCRIBE_ATTEMPTS = 5;
const DESCRIBE_RETRY_MS = 300;

/** A deployment's routing and builds (newest first), and the token that makes a following change refuse a race. */
async function describe(client: Client, name: string): Promise<{ description: DeploymentDescription; conflictToken?: Uint8Array }> {
  let response: temporal.api.workflowservice.v1.DescribeWorkerDeploymentResponse | undefined;
  for (let attempt = 1; !response; attempt += 1) {
    try {
      response = await client.workflowService.describeWorkerDeployment({ namespace: client.options.namespace, deploymentName: name });
    } catch (err) {
      if (grpcCode(err) !== NOT_FOUND) throw err;
      const listed = (await listDeployments(client)).some((d) => d.name === name);
      if (!listed) {
        throw new DeploymentError(
          `no worker deployment "${name}" in namespace ${client.options.namespace}: no worker with OVERTURE_BUILD_ID set (and OVERTURE_DEPLOYMENT_NAME=${name}) has polled yet; start one first`,
        );
      }
      if (attempt >= DESCRIBE_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, DESCRIBE_RETRY_MS * attempt));
    }
  }
  const info = response.workerDeploymentInfo;
  const builds = (info?.versionSummaries ?? []).map(buildOf).sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  const createdAt = iso(info?.createTime);
  const description: DeploymentDescription = {
    name: info?.name ?? name,
    ...(createdAt ? { createdAt } : {}),
    routing: routingOf(info?.routingConfig),
    ...(info?.lastModifierIdentity ? { lastModifiedBy: info.lastModifierIdentity } : {}),
    builds,
  };
  return { description, ...(response.conflictToken?.length ? { conflictToken: response.conflictToken } : {}) };
}

/** A deployment's routing and its builds with their drainage; a DeploymentError when no worker of it ever polled. */
export async function describeDeployment(client: Client, name: string): Promise<DeploymentDescription> {
  return (await describe(client, name)).description;
}

/** The build of the deployment, or a DeploymentError naming the builds there are and how a new one appears. */
function knownBuild(description: DeploymentDescription, buildId: string): BuildSummary {
  const build = description.builds.find((b) => b.buildId === buildId);
  if (build) return build;
  const known = description.builds.map((b) => `${b.buildId} (${b.status})`).join(', ') || 'none';
  throw new DeploymentError(
    `unknown build "${buildId}" in deployment ${description.name}: no worker with OVERTURE_BUILD_ID=${buildId} has polled yet (start its workers first, then try again); known builds: ${known}`,
  );
}

/** A refused change in the operator's terms; other errors (Temporal unreachable) pass unchanged. */
function refusal(err: unknown, description: DeploymentDescription, buildId: string): unknown {
  if (!isGrpcServiceError(err)) return err;
  if (grpcCode(err) === NOT_FOUND) {
    return new DeploymentError(
      `unknown build "${buildId}" in deployment ${description.name}: no worker with OVERTURE_BUILD_ID=${buildId} has polled yet (start its workers first)`,
    );
  }
  if (grpcCode(err) === FAILED_PRECONDITION)
    return new DeploymentError(`Temporal refused the change to deployment ${description.name}: ${detailsOf(err)}`);
  return err;
}

export interface RoutingChange {
  /** False when the build already had that role: nothing was changed. */
  changed: boolean;
  before: Routing;
  after: Routing;
}

/**
 * Makes a build the current one: every new run starts on it, runs pinned to the previous build stay there.
 * Refused (DeploymentError) for a build none of whose workers has polled yet.
 */
export async function setCurrentBuild(client: Client, name: string, buildId: string, identity: string): Promise<RoutingChange> {
  const { description, conflictToken } = await describe(client, name);
  knownBuild(description, buildId);
  if (description.routing.current === buildId) return { changed: false, before: description.routing, after: description.routing };
  try {
    await client.workflowService.setWorkerDeploymentCurrentVersion({
      namespace: client.options.namespace,
      deploymentName: name,
      buildId,
      identity,
      conflictToken,
    });
  } catch (err) {
    throw refusal(err, description, buildId);
  }
  return { changed: true, before: description.routing, after: (await describe(client, name)).description.routing };
}

/**
 * Sends `percentage` % of new runs to a build (the rest to the current one); `undefined` ends the ramp. A run
 * stays on the build it started on.
 */
export async function setRampingBuild(
  client: Client,
  name: string,
  buildId: string | undefined,
  percentage: number,
  identity: string,
): Promise<RoutingChange> {
  if (!Number.isFinite(percentage) || percentage < 0 || percentage > 100)
    throw new DeploymentError(`a ramp is 0 to 100 percent, not ${percentage}`);
  const { description, conflictToken } = await describe(client, name);
  if (buildId !== undefined) {
    knownBuild(description, buildId);
    if (description.routing.current === buildId)
      throw new DeploymentError(
        `build ${buildId} is already current in deployment ${name}: it takes every new run, there is nothing to ramp`,
      );
  }
  const ramping = description.routing.ramping;
  const same = buildId === undefined ? !ramping : ramping?.buildId === buildId && ramping.percentage === percentage;
  if (same) return { changed: false, before: description.routing, after: description.routing };
  try {
    await client.workflowService.setWorkerDeploymentRampingVersion({
      namespace: client.options.namespace,
      deploymentName: name,
      buildId: buildId ?? '',
      percentage: buildId === undefined ? 0 : percentage,
      identity,
      conflictToken,
    });
  } catch (err) {
    throw refusal(err, description, buildId ?? '');
  }
  return { changed: true, before: description.routing, after: (await describe(client, name)).description.routing };
}
