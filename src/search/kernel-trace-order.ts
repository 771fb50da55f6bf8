// The search order a kernel trace gives: traced once, kept in the out dir so a resumed run reuses it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { traceGuidedCandidates } from '../kernel-trace/guide.js';
import { writeFileAtomic } from '../util/fsx.js';
import { sha256, sha256File } from '../util/hash.js';
import type { Normalized } from './evaluator.js';
import type { EventListener } from './events.js';
import type { SearchCandidate } from '../kconfig/candidate.js';

/** What the trace boots and reads: the start kernel in the slot that built it, with the run's tests. */
export type KernelTraceInput = Parameters<typeof traceGuidedCandidates>[0];

/** A kernel trace's outcome, kept in the out dir for a resumed run. */
interface SavedTrace {
  key: string;
  candidates: SearchCandidate[];
  summary: { executed: number; notExecuted: number; unknown: number };
}

/**
 * `input.candidates` in the order the trace gives (never-run first), or as they are when no trace
 * could be made (with a warning). `tracing` is called before the traced boot, not when reusing.
 */
export async function kernelTraceOrder(request: {
  work: string;
  start: Normalized;
  initramfsSha256: string;
  input: KernelTraceInput;
  emit: EventListener;
  tracing: () => void;
}): Promise<SearchCandidate[]> {
  const { work, start, input, emit } = request;
  // The trace decides the order of the search, so a resumed run must reuse it (the start
  // kernel's build dir, which the trace reads, may have been rebuilt since).
  const traceFile = path.join(work, 'kernel-trace.json');
  const traceKey = sha256(JSON.stringify([start.hash, request.initramfsSha256, await sha256File(input.tests), input.candidates.map((c) => c.name)]));
  const saved = await readFile(traceFile, 'utf8').then((t) => JSON.parse(t) as SavedTrace, () => undefined);
  let guided: SavedTrace | { skipped: string };
  if (saved?.key === traceKey) {
    guided = saved;
    emit({ type: 'info', message: `kernel trace: reusing ${traceFile}` });
  } else {
    request.tracing();
    guided = await traceGuidedCandidates(input).then(
      async (traced): Promise<SavedTrace | { skipped: string }> => {
        if ('skipped' in traced) return traced;
        const result = { key: traceKey, candidates: traced.candidates, summary: traced.summary };
        await writeFileAtomic(traceFile, JSON.stringify(result) + '\n');
        return result;
      },
      (error: unknown) => ({ skipped: error instanceof Error ? error.message.split('\n')[0]! : String(error) }),
    );
  }
  if ('skipped' in guided) {
    emit({ type: 'warning', message: `no kernel trace (${guided.skipped}); searching in the untraced order` });
    return [...input.candidates];
  }
  const { executed, notExecuted, unknown } = guided.summary;
  emit({ type: 'info', message: `kernel trace: ${notExecuted} candidates never ran (tried first), ${unknown} without evidence, ${executed} ran` });
  return guided.candidates;
}
