/**
 * A problem the person starting Dateline can fix (a busy port, a data dir in use, a bad setting):
 * reported as one line and exit status 1, without a stack trace.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
