#!/usr/bin/env node
// The tinyx command: dispatches subcommands; the only place that exits the process.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { interruptedError, isInputError, isTinyxError } from '../errors.js';
import { processIo, type CliIo } from './io.js';
import { minimizeCommand } from './minimize.js';

const HELP = `Usage: tinyx <command> [options]

Commands:
  minimize   build the smallest kernel + initramfs that still passes the app's tests
  deps       show the files the app needs in the VM (no build)
  kconfig    look into the kernel's configuration (candidates, explain, resolve)
  verify     re-check a result: it boots, passes, and every candidate of its config is needed
  worker     check remote worker hosts (tinyx worker check ssh://user@host)
  fleet      keep a fleet of apps' kernels current (tinyx fleet run FLEET.yaml; nightly jobs)

Run tinyx <command> --help for its options.
`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  minimize: async () => minimizeCommand,
  deps: async () => (await import('./deps.js')).depsCommand,
  kconfig: async () => (await import('./kconfig.js')).kconfigCommand,
  verify: async () => (await import('./verify.js')).verifyCommand,
  worker: async () => (await import('./worker.js')).workerCommand,
  fleet: async () => (await import('./fleet.js')).fleetCommand,
};

/** Runs one tinyx invocation; returns the exit status (tests call this directly). */
export async function runMain(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(HELP);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    io.stderr(`tinyx: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await (await load())(rest, io);
  } catch (error) {
    // Ctrl-C stops the children too (a tar, a make): what failed then failed because of it.
    return reportError(io.signal?.aborted ? interruptedError() : error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (isTinyxError(error)) {
    io.stderr(`tinyx: ${error.message}\n`);
    if (error.advice) io.stderr(`  ${error.advice}\n`);
    io.stderr(`  (${error.code})\n`);
    if (error.code === 'TINYX_INTERRUPTED') return 130;
    return isInputError(error) ? 2 : 1;
  }
  if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    io.stderr(`tinyx: ${error.message}\n  (TINYX_USAGE)\n`);
    return 2;
  }
  io.stderr(`tinyx: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n  (TINYX_INTERNAL)\n`);
  return 70;
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  // 128 + the signal's number, as a shell reports a process the signal ended.
  const exitFor = (signal: NodeJS.Signals) => (signal === 'SIGTERM' ? 143 : 130);
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) process.exit(exitFor(signal));
    received = signal;
    process.stderr.write(`\ntinyx: ${signal}: stopping (verdicts so far are kept; run again to resume)\n`);
    controller.abort();
    // Builds and guests are stopped through the signal; should cleaning up hang, do not hang with it.
    setTimeout(() => process.exit(exitFor(signal)), 20_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  runMain(process.argv.slice(2), processIo(controller.signal)).then((code) => process.exit(received ? exitFor(received) : code));
}
