// `tinyx verify OUT`: boots the result again and checks that every candidate of its config is needed.
import { TinyxError } from '../errors.js';
import { verify } from '../run/verify.js';
import { parseAccel } from '../vm/accel.js';
import { VERIFY_FLAGS, VERIFY_USAGE } from '../flags/commands.js';
import { parseFlags } from '../flags/flag.js';
import { renderHelp } from '../flags/render.js';
import type { CliIo } from './io.js';
import { progressListener } from './progress.js';

export const verifyHelp = (): string => renderHelp(VERIFY_USAGE, VERIFY_FLAGS);

export async function verifyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(VERIFY_FLAGS, argv, true);
  if (values.help) {
    io.stdout(verifyHelp());
    return 0;
  }
  const out = positionals[0];
  if (!out || positionals.length > 1) throw new TinyxError('TINYX_USAGE', 'verify takes one output directory.', { advice: 'tinyx verify out/NAME' });
  const progress = progressListener(io);
  try {
    const result = await verify(out, { fresh: values.fresh, jobs: values.jobs === undefined ? undefined : jobCount(values.jobs), accel: values.accel === undefined ? undefined : parseAccel(values.accel, '--accel'), signal: io.signal, emit: progress.listener });
    progress.stop();
    const width = Math.max(6, ...result.rows.map((r) => r.option.length));
    io.stdout(`boot + tests: ${result.boots ? 'pass' : 'FAIL'} (${result.bootDetail})\n\n`);
    if (result.fallback) io.stdout(`note: ${result.fallback}\n\n`);
    io.stdout(`${'option'.padEnd(width)}  ${'removing it'.padEnd(11)}  source   verdict\n`);
    for (const row of result.rows) {
      const outcome = row.outcome === 'not-needed' ? 'PASSES' : row.outcome === 'needed' ? 'fails' : row.outcome;
      io.stdout(`${row.option.padEnd(width)}  ${outcome.padEnd(11)}  ${row.fromJournal ? 'journal' : 'run    '}  ${row.detail}\n`);
    }
    if (result.values.length) {
      const named = Math.max(6, ...result.values.map((r) => `${r.option}=${r.value}`.length));
      io.stdout(`\n${'value'.padEnd(named)}  ${'one lower'.padEnd(14)}  ${'outcome'.padEnd(7)}  source   verdict\n`);
      for (const row of result.values) {
        io.stdout(`${`${row.option}=${row.value}`.padEnd(named)}  ${row.tried.padEnd(14)}  ${(row.outcome === 'lighter' ? 'LIGHTER' : 'holds').padEnd(7)}  ${row.fromJournal ? 'journal' : 'run    '}  ${row.detail}\n`);
      }
    }
    const minimal = result.checked === 'candidates' ? '1-minimal' : '1-minimal over report.json\'s kept options only';
    io.stdout(`\n${result.ok ? `verified: boots, passes, ${minimal}${result.values.length ? ', no value one step lower passes lighter' : ''}` : 'NOT verified'}\n`);
    return result.ok ? 0 : 1;
  } finally {
    progress.stop();
  }
}

function jobCount(text: string): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1) throw new TinyxError('TINYX_USAGE', `--jobs expects a whole number of at least 1, received "${text}".`);
  return Number(text);
}
