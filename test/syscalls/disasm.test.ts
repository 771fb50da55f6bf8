// disassemble and dynamicSymbols through the real objdump.
import { describe, expect, it } from 'vitest';
import { disassemble, dynamicSymbols } from '../../src/syscalls/disasm.js';

describe('objdump', () => {
  it('reads libc.so.6\'s exports with every alias and its imports from the loader', async () => {
    const symbols = await dynamicSymbols('/lib/x86_64-linux-gnu/libc.so.6');
    expect(symbols.exports.get('write')).toBe(symbols.exports.get('__write'));
    expect(symbols.exports.has('memcpy')).toBe(true);
    expect(symbols.imports).toContain('__tls_get_addr');
    expect(symbols.imports).not.toContain('_rtld_global_ro');
  });

  it('refuses a file that is not ELF with TINYX_DISASSEMBLY_FAILED', async () => {
    await expect(disassemble('/etc/os-release')).rejects.toMatchObject({ code: 'TINYX_DISASSEMBLY_FAILED' });
  });
});
