import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The arguments `npm start` gives node (its options and the compiled entry), so a harness that
 * starts the server itself runs it exactly as production does.
 */
export function npmStartNodeArgs(root: string): string[] {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [program, ...args] = pkg.scripts.start.split(/\s+/);
  if (program !== 'node') throw new Error(`npm start runs "${pkg.scripts.start}", not node`);
  return args;
}
