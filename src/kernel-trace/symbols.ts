// Kernel addresses -> functions (System.map) -> the object files that define them (nm).

/** A System.map entry; `address` is the offset from 0xffffffff80000000 (kernel text lives there). */
export interface MapSymbol {
  address: number;
  type: string;
  name: string;
}

/** The high 32 bits of every x86-64 kernel text address. */
const KERNEL_HIGH = 'ffffffff';

/** Low 32 bits of a kernel address written in hex, or undefined outside 0xffffffff00000000.. */
export function kernelOffset(hex: string): number | undefined {
  const digits = hex.replace(/^0x/, '').padStart(16, '0');
  if (digits.length !== 16 || digits.slice(0, 8).toLowerCase() !== KERNEL_HIGH) return undefined;
  const low = Number.parseInt(digits.slice(8), 16);
  return Number.isNaN(low) ? undefined : low;
}

export function isTextType(type: string): boolean {
  return type === 'T' || type === 't' || type === 'W' || type === 'w';
}

/** System.map lines (`ffffffff81000000 T _stext`), sorted by address. */
export function parseSystemMap(text: string): MapSymbol[] {
  const out: MapSymbol[] = [];
  for (const line of text.split('\n')) {
    const [hex, type, name] = line.trim().split(/\s+/);
    if (!hex || !type || !name) continue;
    const address = kernelOffset(hex);
    if (address !== undefined) out.push({ address, type, name });
  }
  return out.sort((a, b) => a.address - b.address);
}

/** A defined text symbol of an object; weak ones lose to a strong one of the same name at link time. */
export interface ObjectSymbol {
  name: string;
  weak: boolean;
}

function isWeak(type: string): boolean {
  return type === 'W' || type === 'w';
}

/** Defined text symbols in `nm --defined-only` output of one object. */
export function textSymbolsOfNm(text: string): ObjectSymbol[] {
  const out: ObjectSymbol[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length === 3 && isTextType(parts[1]!)) out.push({ name: parts[2]!, weak: isWeak(parts[1]!) });
  }
  return out;
}

/** A function of the kernel image, with its extent up to the next symbol. */
export interface KernelFunction {
  name: string;
  start: number;
  end: number;
  /** The objects that may hold it: one when known, several when a static name is ambiguous, none for linker symbols. */
  objects: string[];
}

export interface SymbolIndex {
  functions: KernelFunction[];
  /** Functions whose object stayed ambiguous after the neighbour check. */
  ambiguous: number;
  /** Functions no object defines (linker- or assembler-made labels). */
  orphans: number;
}

/**
 * Text functions with their objects. A name defined by several objects (statics) is pinned by its
 * neighbours in the map: the linker lays each object's text out contiguously, so a candidate
 * object matching the closest unambiguous function before or after it is taken.
 */
export function indexSymbols(map: readonly MapSymbol[], objectSymbols: ReadonlyMap<string, readonly (ObjectSymbol | string)[]>): SymbolIndex {
  const definers = new Map<string, { object: string; weak: boolean }[]>();
  for (const [object, symbols] of objectSymbols) {
    const seen = new Set<string>();
    for (const symbol of symbols) {
      const { name, weak } = typeof symbol === 'string' ? { name: symbol, weak: false } : symbol;
      if (seen.has(name)) continue;
      seen.add(name);
      const list = definers.get(name);
      if (list) list.push({ object, weak });
      else definers.set(name, [{ object, weak }]);
    }
  }
  // A weak definition in the map came from a weak definer, a strong one from a strong definer.
  const objectsOf = (sym: MapSymbol): string[] => {
    const all = definers.get(sym.name) ?? [];
    const same = all.filter((d) => d.weak === isWeak(sym.type));
    return (same.length > 0 ? same : all).map((d) => d.object);
  };
  const functions: KernelFunction[] = [];
  for (let i = 0; i < map.length; i++) {
    const sym = map[i]!;
    if (!isTextType(sym.type)) continue;
    let end = sym.address + 1;
    for (let j = i + 1; j < map.length; j++) {
      if (map[j]!.address > sym.address) {
        end = map[j]!.address;
        break;
      }
    }
    functions.push({ name: sym.name, start: sym.address, end, objects: objectsOf(sym) });
  }
  let ambiguous = 0;
  for (let i = 0; i < functions.length; i++) {
    const fn = functions[i]!;
    if (fn.objects.length <= 1) continue;
    const near = (step: number): string | undefined => {
      for (let j = i + step; j >= 0 && j < functions.length; j += step) {
        const other = functions[j]!.objects;
        if (other.length === 1) return fn.objects.includes(other[0]!) ? other[0] : undefined;
      }
      return undefined;
    };
    const before = near(-1);
    const after = near(1);
    const pick = before && after && before !== after ? undefined : before ?? after;
    if (pick) fn.objects = [pick];
    else ambiguous++;
  }
  const orphans = functions.filter((f) => f.objects.length === 0).length;
  return { functions, ambiguous, orphans };
}

/** The function holding `address`, by binary search over starts; undefined outside every function. */
export function functionAt(functions: readonly KernelFunction[], address: number): KernelFunction | undefined {
  let lo = 0;
  let hi = functions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (functions[mid]!.start <= address) lo = mid + 1;
    else hi = mid - 1;
  }
  const fn = functions[hi];
  return fn && address < fn.end ? fn : undefined;
}
