// `npm run db:reset`: removes the local database (its data included); the next `npm start`
// builds it afresh from the migrations and the seed. For when migrations were edited in place.
import { devCluster } from "./local-env.ts";
import { clusterPaths, destroyCluster } from "./postgres-cluster.ts";

destroyCluster(devCluster);
console.log(`Removed the local database in ${clusterPaths(devCluster).dataDir}; npm start creates a fresh one.`);
