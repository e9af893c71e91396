// Builds feedback_portal/static from govuk-frontend and our own sources.
// Run by the Makefile: `npm ci && npm run build`.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "feedback_portal", "static");
const govuk = join(here, "node_modules", "govuk-frontend", "dist", "govuk");

for (const folder of ["css", "js", "images"]) {
  mkdirSync(join(out, folder), { recursive: true });
}

const css = sass.compile(join(here, "src", "council.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "council.css"), css.css);

copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "js", "govuk-frontend.min.js"));
copyFileSync(join(here, "src", "init.js"), join(out, "js", "init.js"));
copyFileSync(join(here, "src", "staff-timeout.js"), join(out, "js", "staff-timeout.js"));
copyFileSync(join(here, "src", "favicon.svg"), join(out, "images", "favicon.svg"));
console.log(`Built ${out}`);
