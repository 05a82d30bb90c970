// GET health: no token needed. 200 when the database answers, 503 when it does not.
import { apiVersion } from "../../_shared/api-types.ts";
import { ApiError } from "../http.ts";
import type { RouteHandler } from "../route.ts";

export const health: RouteHandler<"health"> = async ({ sql }) => {
  let time: Date;
  try {
    const [row] = await sql<{ now: Date }[]>`select now() as now`;
    if (row === undefined) throw new Error("select now() returned no row");
    time = row.now;
  } catch (cause) {
    throw new ApiError("service_unavailable", "the database is not reachable", undefined, {}, cause);
  }
  return { status: "ok", database: "reachable", version: apiVersion, time: time.toISOString() };
};
