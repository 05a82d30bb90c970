// A throwaway cluster for the test suite: created fresh, schema applied, removed afterwards.
import { databaseUrl, testCluster } from "./local-env.ts";
import { ensureSystemPackages } from "./system-packages.ts";
import { destroyCluster, initCluster, startCluster } from "./postgres-cluster.ts";
import { applyBootstrap, applyMigrations, applySeed, runSql } from "./database-setup.ts";

export function createTestDatabase(): string {
  ensureSystemPackages({ browserTests: true });
  destroyCluster(testCluster);
  initCluster(testCluster);
  startCluster(testCluster);
  const url = databaseUrl(testCluster);
  applyBootstrap(url);
  // pgTAP before the migrations: they revoke EXECUTE from PUBLIC on functions created afterwards,
  // and the tests call pgTAP while acting as the API roles.
  runSql(url, "create extension if not exists pgtap with schema extensions");
  applyMigrations(url);
  applySeed(url);
  return url;
}

export function removeTestDatabase(): void {
  destroyCluster(testCluster);
}
