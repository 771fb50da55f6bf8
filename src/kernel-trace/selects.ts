// Which enabled options each option selects (Kconfig `select`): evidence for options that build nothing themselves.
import type { KconfigModel } from '../kconfig/engine.js';

/**
 * Option -> the enabled options it selects, both enabled in `enabled`. `RD_XZ` builds no object but
 * selects `DECOMPRESS_XZ`, whose objects the trace can see.
 */
export function selectMap(model: KconfigModel, enabled: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const sym of model.table.syms) {
    if (sym.name === null || !enabled.has(sym.name)) continue;
    const targets = sym.props
      .filter((p) => p.type === 'select' && p.expr?.k === 'sym')
      .map((p) => model.table.get((p.expr as { k: 'sym'; s: number }).s).name)
      .filter((name): name is string => name !== null && enabled.has(name));
    if (targets.length > 0) out.set(sym.name, [...new Set(targets)]);
  }
  return out;
}
