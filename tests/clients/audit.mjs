// The graphql-http audit suite (GraphQL over HTTP) against a running server.
// Usage: node audit.mjs http://127.0.0.1:8080/graphql
// Prints everything not ok; exits 1 on any error or warning (notices are MAYs of the spec).
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs <graphql url>");
  process.exit(2);
}
const results = await auditServer({ url });
let bad = 0;
for (const result of results) {
  if (result.status !== "ok") {
    if (result.status === "error" || result.status === "warn") bad += 1;
    console.log(`${result.status.toUpperCase()} ${result.id}: ${result.name}\n  ${result.reason}`);
  }
}
const count = (status) => results.filter((r) => r.status === status).length;
console.log(
  `audit: ${count("ok")} ok, ${count("notice")} notices, ${count("warn")} warnings, ` +
    `${count("error")} errors, ${results.length} in all`,
);
process.exit(bad === 0 ? 0 : 1);
