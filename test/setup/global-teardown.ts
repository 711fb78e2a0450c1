/** Stops the test run's servers. */
export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.__overtureServers ?? []).map((server) => server.stop()));
}
