// The calls of an strace log: names, failures with their errno, socket families, and calls strace split in two.
import { describe, expect, it } from 'vitest';
import { joinResumed, parseStraceCalls } from '../../src/deps/strace-calls.js';

describe('parseStraceCalls', () => {
  it('names every call once, failed ones with their errno, and the families of socket() and socketpair(); signals, exits and restarts are no calls or failures', () => {
    const log = [
      '7 socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = -1 EAFNOSUPPORT (Address family not supported by protocol)',
      '7 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3',
      '7 socket(0x2d /* AF_??? */, SOCK_RAW, 0) = -1 EAFNOSUPPORT (Address family not supported by protocol)',
      '8 socketpair(AF_UNIX, SOCK_STREAM, 0,  <unfinished ...>',
      '7 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=9, si_uid=0} ---',
      '7 epoll_wait(4, "a = -1 EINVAL (x)", 16, -1) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)',
      '8 <... socketpair resumed>[5, 6]) = 0',
      '8 shmget(IPC_PRIVATE, 1, 0) = -1 ENOSYS (Function not implemented)',
      '9 wait4(-1,  <unfinished ...>',
      '8 exit_group(0) = ?',
      '8 +++ exited with 0 +++',
      '9 +++ killed by SIGTERM +++',
    ].join('\n');
    expect(parseStraceCalls(joinResumed(log))).toEqual({
      syscalls: ['epoll_wait', 'exit_group', 'shmget', 'socket', 'socketpair', 'wait4'],
      failedCalls: ['shmget: ENOSYS', 'socket: EAFNOSUPPORT'],
      families: ['0x2d', 'AF_INET', 'AF_INET6', 'AF_UNIX'],
    });
  });

  it('joins a split call into one line where it ended, keeping its text', () => {
    expect(joinResumed('1 wait4(2,  <unfinished ...>\n2 getppid() = 1\n1 <... wait4 resumed>NULL, 0, NULL) = 2')).toEqual(['2 getppid() = 1', '1 wait4(2, NULL, 0, NULL) = 2']);
  });
});
