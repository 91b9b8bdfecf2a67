// Scratch directories the test processes make (families/federation.ts CA files) carry the vitest process's
// pid in their name (a test process's ppid): global-setup.ts's teardown removes this run's, and only
// this run's, as other runs on the machine may be using theirs.
export const scratchPrefix = (vitestPid: number) => `idplane-ca-${vitestPid}-`;
