import type { Reporter, RunnerTask, RunnerTestFile } from 'vitest';

/**
 * Prints the plain `N passed, N failed` line CI reads as the run's closing line. A test that
 * never ran because its suite's hook or its file failed counts as failed, not skipped: a broken
 * setup must not read as green.
 */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const visit = (task: RunnerTask, parentFailed: boolean): void => {
      if (task.type === 'suite') {
        const failed = parentFailed || task.result?.state === 'fail';
        for (const child of task.tasks) visit(child, failed);
        return;
      }
      const state = task.result?.state;
      if (state === 'pass') counts.passed++;
      else if (state === 'fail' || parentFailed) counts.failed++;
      else counts.skipped++;
    };
    for (const file of files) {
      visit(file, false);
      if (file.result?.state === 'fail' && file.tasks.length === 0) counts.failed++;
    }
    counts.failed += errors.length;
    const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed${skipped}\n`);
  }
}
