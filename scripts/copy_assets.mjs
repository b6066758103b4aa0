// Copy the map's third-party files from node_modules/ to static/vendor/.
//
// Runs as npm's postinstall step (`npm install` in the project folder), so a
// fresh clone gets a map that works with no internet: Streamlit serves
// static/vendor/ at /app/static/vendor/ and geo/render/assets.py points folium there.
// Which files to copy, and the exact version each must come from, are listed
// once in geo/render/vendor_assets.json (Python reads the same file).
//
// Usage: node scripts/copy_assets.mjs   (exit 1 with a message if a package
// is missing or has another version than the one pinned in package.json).

import { copyFileSync, mkdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const manifest = JSON.parse(readFileSync(join(root, "geo", "render", "vendor_assets.json"), "utf8"));
const vendor = join(root, "static", "vendor");

const problems = [];
let copied = 0;
for (const [name, spec] of Object.entries(manifest.packages)) {
  const pkgDir = join(root, "node_modules", name);
  const pkgJson = join(pkgDir, "package.json");
  if (!existsSync(pkgJson)) {
    problems.push(`${name}: not installed in node_modules/ (run npm install in ${root})`);
    continue;
  }
  const installed = JSON.parse(readFileSync(pkgJson, "utf8")).version;
  if (installed !== spec.version) {
    problems.push(
      `${name}: node_modules has version ${installed}, geo/render/vendor_assets.json expects ${spec.version}`,
    );
    continue;
  }
  for (const [dest, src] of Object.entries(spec.files)) {
    const from = join(pkgDir, src);
    if (!existsSync(from)) {
      problems.push(`${name}@${installed}: file ${src} not found in the package`);
      continue;
    }
    const to = join(vendor, name, dest);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    copied += 1;
  }
}

if (problems.length > 0) {
  console.error("copy_assets: could not install the map files:\n  " + problems.join("\n  "));
  process.exit(1);
}
console.log(`copy_assets: ${copied} files copied to ${vendor}`);
