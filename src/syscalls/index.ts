// The syscalls an app can make and the kernel options each one needs.
export { optionsForSyscalls, type SyscallGate, type SyscallMap } from './gate.js';
export { readSyscallMap } from './kernel-map.js';
