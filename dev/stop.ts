// `npm stop`: shuts down the local database started by `npm start` (data is kept).
import { devCluster } from "./local-env.ts";
import { isRunning, stopCluster } from "./postgres-cluster.ts";

if (isRunning(devCluster)) {
  stopCluster(devCluster);
  console.log("Local database stopped.");
} else {
  console.log("Local database is not running.");
}
