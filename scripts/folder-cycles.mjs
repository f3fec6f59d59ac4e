#!/usr/bin/env node
// No import cycle between folders: reads dependency-cruiser's graph of src/ and fails when a folder
// (src/access, src/http, …; each feature and each door on its own; src/ itself for the composition
// root) reaches itself again through other folders. Type-only imports are not dependencies at run
// time and are left out: route tables name the `Deps` type of the composition root.
import { spawnSync } from 'node:child_process';

const run = spawnSync('npx', ['depcruise', 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
if (run.status !== 0 && !run.stdout) {
  process.stderr.write(run.stderr);
  process.exit(2);
}
const { modules } = JSON.parse(run.stdout);

const folderOf = (file) => {
  const parts = file.split('/');
  if (parts.length <= 2) return 'src';
  return parts[1] === 'features' || parts[1] === 'doors' ? `${parts[1]}/${parts[2]}` : parts[1];
};

const edges = new Map();
for (const m of modules) {
  if (!m.source.startsWith('src/')) continue;
  const from = folderOf(m.source);
  for (const dep of m.dependencies) {
    if (!dep.resolved?.startsWith('src/') || dep.dependencyTypes.includes('type-only')) continue;
    const to = folderOf(dep.resolved);
    if (to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${m.source} → ${dep.resolved}`);
  }
}

const reaches = (start, target) => {
  const seen = new Set([start]);
  const todo = [start];
  while (todo.length) {
    for (const next of edges.get(todo.pop())?.keys() ?? []) {
      if (next === target) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      todo.push(next);
    }
  }
  return false;
};

const cycles = [];
for (const [from, tos] of edges)
  for (const [to, example] of tos) if (reaches(to, from)) cycles.push(`${from} → ${to} (${example})`);
if (cycles.length) {
  console.log(`Folders that import each other (${cycles.length}):\n  ${cycles.join('\n  ')}`);
  process.exit(1);
}
console.log(`no import cycle between ${edges.size} folders`);
