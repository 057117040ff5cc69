import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Vitest's order (failed first, then the slowest by the last run's timings, or the largest file
 * on a fresh clone), with the quick project's files moved to the end: they take well under a
 * second each, so they fill the gap while the last long process test of the other core finishes,
 * instead of leaving a long file to start last.
 */
export default class QuickLastSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [...sorted.filter((spec) => spec.project.name !== 'quick'), ...sorted.filter((spec) => spec.project.name === 'quick')];
  }
}
