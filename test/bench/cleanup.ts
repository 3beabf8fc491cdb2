/**
 * Last-resort cleanup for an interrupted run. Figures clean up after
 * themselves in `finally` blocks; those never run when Ctrl-C ends the
 * process, and gateway processes would then outlive the benchmark. Whatever
 * must not outlive it registers a synchronous undo here.
 */
const undos = new Set<() => void>()

/** Registers `undo`; call the returned function once it is no longer needed. */
export function onInterrupt(undo: () => void): () => void {
  undos.add(undo)
  return () => undos.delete(undo)
}

/** Runs every registered undo (each at most once), ignoring their failures. */
export function runInterruptUndos(): void {
  for (const undo of undos) {
    try {
      undo()
    } catch {
      // Best effort: the process is going down anyway.
    }
  }
  undos.clear()
}
