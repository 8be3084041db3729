/** A command used wrongly: its message, and exit code 2. */
export class UsageError extends Error {}
