import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prependRun, replaceLoadTestSection } from '../../bench/report.js';

describe('docs/benchmarks.md: the bench runs and the load test section', () => {
  let directory: string;
  let file: string;
  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'report-'));
    file = path.join(directory, 'benchmarks.md');
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  const sections = (text: string) => text.split('\n').filter((line) => /^#{2,3} /.test(line));

  it('keeps the load test section when a bench run is added, and the runs when the load test is replaced', async () => {
    prependRun(file, '## Run 1\n\nfirst');
    replaceLoadTestSection(file, '## Load test\n\n### Run A\n\nload A');
    prependRun(file, '## Run 2\n\nsecond');
    replaceLoadTestSection(file, '## Load test\n\n### Run B\n\nload B');
    const text = await readFile(file, 'utf8');

    expect(sections(text)).toEqual([
      '## Why the engine has its own matcher',
      '## Load test',
      '### Run B',
      '## Run 2',
      '## Run 1',
    ]);
    expect(text).not.toContain('load A');
    expect(text.match(/<!-- load-test:start/g)).toHaveLength(1);
  });

  it('adds the section to the report as it was before load tests, keeping every run', async () => {
    const before = await readFile(path.resolve(__dirname, '../../docs/benchmarks.md'), 'utf8');
    await writeFile(file, before.replace(/<!-- load-test:start[\s\S]*<!-- load-test:end -->\n\n/, ''));
    replaceLoadTestSection(file, '## Load test\n\nnew');
    const text = await readFile(file, 'utf8');
    const runs = (markdown: string) => sections(markdown).filter((line) => line.startsWith('## Run '));
    expect(runs(text)).toEqual(runs(before));
    expect(runs(text).length).toBeGreaterThan(0);
    expect(text.indexOf('## Load test')).toBeLessThan(text.indexOf('<!-- bench:results'));
  });
});
