// Prints Prisma's own reading of a schema (its DMMF datamodel) as JSON, for the tests.
// Usage: node dmmf.js FILE [FILE...]   (several files: a multi-file schema)
// On a schema Prisma rejects it prints {"error": "<first lines of Prisma's message>"}.
const fs = require("fs");
const wasm = require("@prisma/prisma-schema-wasm");

const files = process.argv.slice(2).map((f) => [f, fs.readFileSync(f, "utf8")]);
try {
  const out = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: files })));
  process.stdout.write(JSON.stringify(out.datamodel));
} catch (e) {
  let message = String((e && e.message) || e);
  try { message = JSON.parse(message).message; } catch (_) { /* not JSON */ }
  process.stdout.write(JSON.stringify({ error: message.replace(/\u001b\[[0-9;]*m/g, "") }));
}
