// `npm run openapi`: writes openapi/openapi.yaml from the zod contract (see openapi/document.ts).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { renderOpenApiYaml } from "../openapi/document.ts";
import { projectRoot } from "./local-env.ts";

const target = path.join(projectRoot, "openapi/openapi.yaml");
writeFileSync(target, renderOpenApiYaml());
console.log(`wrote ${path.relative(projectRoot, target)}`);
