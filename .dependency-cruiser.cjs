// The layers of src/, lowest first: a folder imports only from the folders below it (or itself),
// so no cycle can run between two folders; within a folder, no import cycle between modules.
//
// Each folder is a layer of its own, so the order is total; a new folder takes its place in the list.
// - image (a container image read into a tree) needs only util, beside deps, the other app source;
// - profile sits above packager and below vm: it reads the kconfig symbol names and the packager's
//   compressors, and states the accelerator, machine and NIC the VM and the tester start with;
// - kernel-trace sits above tester and below search: it boots a traced kernel with the tester and
//   ranks the search's candidates for it, while search imports it to order them;
// - syscalls reads what an app's binaries can call and which kernel options each syscall needs (from
//   the kernel tree's own Makefiles, which kernel-trace parses), for the start config, the guess and the report;
// - plan turns a run's request, its profile and the host's facts into what each stage takes; the
//   stages below it take their own types, which the plan's slices fill;
// - search is the search proper (strategies, evaluator, journal, rounds); output writes and reads an
//   out dir; run drives a whole run (minimize, verify) and writes its result with output;
// - flags holds the command-line flag tables and their mapping to the run's options, below fleet,
//   whose fleet file takes minimize's flags as keys, and cli, which parses them.
// src/index.ts, the public surface, sits on top with cli; nothing inside src imports it.
const LAYERS = [
  ['util', 'errors.ts'],
  ['kconfig'],
  ['image'],
  ['deps'],
  ['packager'],
  ['profile'],
  ['vm'],
  ['tester'],
  ['kernel-trace'],
  ['syscalls'],
  ['remote'],
  ['plan'],
  ['search'],
  ['output'],
  ['run'],
  ['flags'],
  ['fleet'],
  ['cli', 'index.ts'],
];
const name = (folder) => `^src/${folder.replace('.', '\\.')}(/|$)`;
const layerRules = LAYERS.slice(0, -1).flatMap((layer, i) => layer.map((folder) => ({
  name: `layer-${folder}`,
  comment: `src/${folder} may import only from ${LAYERS.slice(0, i + 1).flat().join(', ')}`,
  severity: 'error',
  from: { path: name(folder) },
  to: { path: LAYERS.slice(i + 1).flat().map(name) },
})));
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'layer-unplaced',
      comment: 'a folder of src/ is imported only once it has a place in LAYERS',
      severity: 'error',
      from: {},
      to: { path: '^src/', pathNot: LAYERS.flat().map(name) },
    },
    {
      name: 'no-index-inside',
      comment: 'src/index.ts is the public surface; modules import what they need from its source',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: name('index.ts') },
    },
    {
      name: 'no-cycle',
      comment: 'no import cycle, type-only ones included',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
