// Includes name their partial from the views folder ("/partials/_field"): EJS then reads the path
// as it is, where a relative include costs a file-system look-up on every render.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VIEWS_DIR } from '../../src/http/render.ts';

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? templates(path.join(dir, entry.name))
      : entry.name.endsWith('.ejs')
        ? [path.join(dir, entry.name)]
        : [],
  );
}

describe('view includes', () => {
  it('name every partial from the views folder', () => {
    const relative = templates(VIEWS_DIR).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/include\(\s*(['"`])([^'"`]*)\1/g)]
        .filter((match) => !match[2]!.startsWith('/'))
        .map((match) => `${path.relative(VIEWS_DIR, file)}: ${match[2]}`),
    );
    expect(relative).toEqual([]);
  });
});
