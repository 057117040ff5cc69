import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** One test file's cost: the time its worker spent on it, split into import and run. */
export interface FileTiming {
  file: string;
  project: string;
  /** prepare + collect (import) + setup files + tests and hooks, in seconds. */
  totalS: number;
  importS: number;
  /** Tests and hooks (beforeAll's worker starts included). */
  runS: number;
  tests: number;
  /** The file's slowest test, for the "what does it wait on" column. */
  slowestTest: string;
  slowestTestS: number;
}

const round = (ms: number): number => Math.round(ms / 100) / 10;

/**
 * Where the suite's time goes: prints the slowest test files (and each one's slowest test) when
 * the run ends, and writes every file's figures as JSON to $HIVECHECK_TEST_TIMINGS when set.
 * `npm run test:timings` runs the suite with it; add `--project quick` or file filters as usual.
 */
export default class TimingReporter implements Reporter {
  readonly #files: FileTiming[] = [];
  #root = process.cwd();

  onInit(vitest: { config: { root: string } }): void {
    this.#root = vitest.config.root;
  }

  onTestModuleEnd(module: TestModule): void {
    const diagnostic = module.diagnostic();
    let slowestTest = '';
    let slowestMs = 0;
    let tests = 0;
    for (const test of module.children.allTests()) {
      tests += 1;
      const ms = test.diagnostic()?.duration ?? 0;
      if (ms >= slowestMs) {
        slowestMs = ms;
        slowestTest = test.fullName;
      }
    }
    const importMs = diagnostic.prepareDuration + diagnostic.collectDuration + diagnostic.setupDuration + diagnostic.environmentSetupDuration;
    this.#files.push({
      file: relative(this.#root, module.moduleId),
      project: module.project.name,
      totalS: round(importMs + diagnostic.duration),
      importS: round(importMs),
      runS: round(diagnostic.duration),
      tests,
      slowestTest,
      slowestTestS: round(slowestMs),
    });
  }

  onTestRunEnd(): void {
    const files = [...this.#files].sort((a, b) => b.totalS - a.totalS);
    const out = process.env.HIVECHECK_TEST_TIMINGS;
    if (out) writeFileSync(out, `${JSON.stringify(files, null, 2)}\n`);
    const sum = files.reduce((total, file) => total + file.totalS, 0);
    const lines = [`\nslowest test files (${files.length} files, ${sum.toFixed(1)} s of worker time in all):`];
    for (const file of files.slice(0, 20)) lines.push(`${file.totalS.toFixed(1).padStart(7)} s  ${file.file} (${file.tests} tests; slowest ${file.slowestTestS.toFixed(1)} s: ${file.slowestTest.slice(0, 90)})`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
