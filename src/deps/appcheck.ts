// Checks that the app is something the kernel can execute, and where system programs live.
import { TinyxError } from '../errors.js';
import { ET, isElf, machineName, parseElf, type ElfInfo } from './elf.js';

/** Host prefixes whose files keep their own path in the guest. */
export const SYSTEM_PREFIXES = ['/usr/', '/bin/', '/sbin/', '/lib/', '/lib32/', '/lib64/', '/libx32/', '/opt/'];

/** Parse the app's ELF header and check it can be executed. */
export function parseApp(bytes: Uint8Array, appPath: string): ElfInfo {
  if (!isElf(bytes)) {
    throw new TinyxError('TINYX_APP_NOT_ELF', `App ${appPath} is neither an ELF executable nor a #! script`, {
      advice: 'Pass the compiled binary (check with `file`), or a script starting with #!.',
    });
  }
  let elf;
  try {
    elf = parseElf(bytes);
  } catch (cause) {
    throw new TinyxError('TINYX_APP_NOT_ELF', `App ${appPath} is a malformed ELF file`, { cause });
  }
  if (elf.type !== ET.EXEC && elf.type !== ET.DYN) {
    throw new TinyxError('TINYX_APP_NOT_ELF', `App ${appPath} is an ELF ${elf.type === ET.REL ? 'object file' : 'core dump'}, not an executable`, {
      advice: 'Link it into an executable first.',
    });
  }
  if (elf.type === ET.DYN && !elf.interp && elf.soname) {
    throw new TinyxError('TINYX_APP_NOT_ELF', `App ${appPath} is a shared library (${machineName(elf.machine)}), not an executable`);
  }
  return elf;
}
