/* tinyx-init: the guest's /init for an app that needs no shell. It does what BusyBox init and the
 * generated rc do (src/packager/init.ts, renderRc): mounts, host name, loopback, eth0 for QEMU's
 * user network, then the app as its user, with its environment and working directory; it reports
 * the app's exit on the console and ends the VM (a reboot, which QEMU's -no-reboot turns into QEMU
 * exiting). As PID 1 it reaps every child and never exits.
 *
 * Built by scripts/setup.sh: musl-gcc -static -Os -s -Wall -Wextra -Werror (see src/packager/tinyx-init.ts).
 *
 * What to start is in /etc/tinyx/init.conf, written by src/packager/init-conf.ts: a sequence of
 * fields, each ended by one NUL byte (so a value may hold any byte but NUL), in this order:
 *   tinyx-init 1                   the format and its version
 *   port=N                         the app's guest port, 0-65535 (0: no network device)
 *   iface=NAME                     these four only when port > 0: the interface, its address,
 *   address=A netmask=M gateway=G  netmask and default gateway (dotted IPv4)
 *   cwd=PATH                       absolute; created (and given to the user) when missing
 *   uid=N gid=N groups=G,G,...     all three or none: the app's user (groups may be empty)
 *   volume=DEV:PATH                zero or more: the ext4 disk /dev/DEV (a name, no /) mounted
 *                                  at PATH (absolute; created when missing), before the app starts
 *   env=KEY=VALUE                  zero or more, set over the kernel's environment in order;
 *                                  KEY is [A-Za-z_][A-Za-z0-9_]*
 *   arg=VALUE                      one or more: the app's argv; the first is its absolute path
 *   end                            and nothing after it
 * Numbers are decimal, without sign or leading zeros. Anything else is refused with a
 * TINYX-INIT-FAILED line saying which field is wrong.
 *
 * Run outside PID 1 as `tinyx-init --check FILE`, it parses FILE, prints what it would do and
 * exits 0 (1 when FILE is refused): the unit tests check the parser this way on the host.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The console markers of src/packager/markers.ts. */
#define MARKER_INIT_STARTED "TINYX-INIT-STARTED"
#define MARKER_APP_STARTED "TINYX-APP-STARTED"
#define MARKER_APP_EXITED "TINYX-APP-EXITED"
#define MARKER_INIT_FAILED "TINYX-INIT-FAILED"

#define CONF_PATH "/etc/tinyx/init.conf"
#define CONF_MAGIC "tinyx-init 1"
#define CONF_MAX_BYTES (1 << 20)
#define ID_MAX 4294967294UL /* (uid_t)-1 means "unchanged" to setuid and chown */

extern char **environ;

struct conf {
  unsigned long port;
  const char *iface, *address, *netmask, *gateway;
  const char *cwd;
  int has_user;
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  size_t ngroups;
  const char **volume_dev, **volume_path;
  size_t nvolumes;
  char **env;
  size_t nenv;
  char **argv; /* NULL-terminated */
  size_t nargs;
};

/* ---- the console ---- */

static int console = 1;

/* The guest's own clock, CLOCK_BOOTTIME: seconds since the kernel's timekeeping started, as on a
   marker line ("TINYX-INIT-STARTED 0.412345"). The host's clock counts from QEMU's start. */
#define GUEST_CLOCK "%ld.%06ld"
#define GUEST_CLOCK_ARGS(t) (long)(t).tv_sec, (long)((t).tv_nsec / 1000)
static struct timespec guest_clock(void) {
  struct timespec t = {0, 0};
  clock_gettime(CLOCK_BOOTTIME, &t);
  return t;
}

/* One line per write, so lines of the init and of the app's child never tear. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  char line[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t len = (size_t)n < sizeof line - 1 ? (size_t)n : sizeof line - 2;
  line[len++] = '\n';
  for (size_t done = 0; done < len;) {
    ssize_t w = write(console, line + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    done += (size_t)w;
  }
}

/* The kernel gives /init the console as fds 0-2 when /dev/console exists; if it could not, open it now. */
static void open_console(void) {
  if (fcntl(1, F_GETFD) >= 0) return;
  int fd = open("/dev/console", O_RDWR | O_NOCTTY);
  if (fd < 0) return;
  for (int i = 0; i <= 2; i++) {
    if (fd != i) dup2(fd, i);
  }
  if (fd > 2) close(fd);
}

/* ---- the config file ---- */

static char conf_error[512];

/* A field for a message: at most 40 bytes, bytes outside printable ASCII as \xNN. */
static const char *shown(const char *field) {
  static char out[4 * 40 + 4];
  size_t o = 0;
  for (size_t i = 0; field[i] && i < 40; i++) {
    unsigned char ch = (unsigned char)field[i];
    if (ch >= 0x20 && ch < 0x7f && ch != '\\') out[o++] = (char)ch;
    else o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", ch);
  }
  if (strlen(field) > 40) {
    memcpy(out + o, "...", 3);
    o += 3;
  }
  out[o] = '\0';
  return out;
}

struct cursor {
  char *at, *end;
  unsigned index;
};

/* The next field (the buffer ends with NUL, so every field does), or NULL at the end. */
static char *peek(struct cursor *c) { return c->at < c->end ? c->at : NULL; }
static char *take(struct cursor *c) {
  char *field = peek(c);
  if (field) {
    c->at += strlen(field) + 1;
    c->index++;
  }
  return field;
}

static const char *after(const char *field, const char *prefix) {
  size_t n = strlen(prefix);
  return field && strncmp(field, prefix, n) == 0 ? field + n : NULL;
}

static int refuse(const struct cursor *c, const char *what, const char *field) {
  if (field) snprintf(conf_error, sizeof conf_error, "field %u: expected %s, got \"%s\"", c->index, what, shown(field));
  else snprintf(conf_error, sizeof conf_error, "field %u: expected %s, got the end of the file", c->index + 1, what);
  return -1;
}

/* Decimal, no sign, no leading zero, at most `max`. */
static int number(const char *s, unsigned long max, unsigned long *out) {
  if (!s || !*s || (s[0] == '0' && s[1]) || strlen(s) > 10) return -1;
  unsigned long long v = 0;
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9') return -1;
    v = v * 10 + (unsigned long long)(*p - '0');
  }
  if (v > max) return -1;
  *out = (unsigned long)v;
  return 0;
}

/* The value of a `prefix` field, as the next field must be; *value is NULL (and conf_error set) if it is not. */
static int expect(struct cursor *c, const char *prefix, const char *what, const char **value) {
  char *field = take(c);
  *value = after(field, prefix);
  return *value ? 0 : refuse(c, what, field);
}

static int expect_number(struct cursor *c, const char *prefix, unsigned long max, unsigned long *out) {
  const char *value;
  char what[64];
  snprintf(what, sizeof what, "%sN (0-%lu)", prefix, max);
  if (expect(c, prefix, what, &value) < 0) return -1;
  return number(value, max, out) < 0 ? refuse(c, what, value - strlen(prefix)) : 0;
}

static int expect_ipv4(struct cursor *c, const char *prefix, const char **out) {
  char what[64];
  struct in_addr addr;
  snprintf(what, sizeof what, "%sA.B.C.D", prefix);
  if (expect(c, prefix, what, out) < 0) return -1;
  return inet_pton(AF_INET, *out, &addr) == 1 ? 0 : refuse(c, what, *out - strlen(prefix));
}

static int valid_key(const char *s, size_t n) {
  if (n == 0 || (s[0] >= '0' && s[0] <= '9')) return 0;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (!(ch == '_' || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) return 0;
  }
  return 1;
}

static int parse_groups(struct cursor *c, struct conf *conf) {
  const char *list;
  const char *what = "groups=G,G,... (numbers, may be empty)";
  if (expect(c, "groups=", what, &list) < 0) return -1;
  size_t n = *list ? 1 : 0;
  for (const char *p = list; *p; p++) n += *p == ',';
  conf->groups = calloc(n ? n : 1, sizeof *conf->groups);
  if (!conf->groups) return refuse(c, "a smaller groups list", list - 7);
  char item[16];
  for (const char *p = list; n && *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    unsigned long id;
    if (len >= sizeof item) return refuse(c, what, list - 7);
    memcpy(item, p, len);
    item[len] = '\0';
    if (number(item, ID_MAX, &id) < 0) return refuse(c, what, list - 7);
    conf->groups[conf->ngroups++] = (gid_t)id;
    p += len;
    if (*p == ',') {
      p++;
      if (!*p) return refuse(c, what, list - 7);
    }
  }
  return 0;
}

/* Strict: exactly the fields above, in that order; on a refusal conf_error says why. */
static int parse_conf(char *buf, size_t size, struct conf *conf) {
  struct cursor c = { buf, buf + size, 0 };
  unsigned long id;
  memset(conf, 0, sizeof *conf);
  if (size == 0 || buf[size - 1] != '\0') {
    snprintf(conf_error, sizeof conf_error, "%s", size == 0 ? "the file is empty" : "the last field is not ended by a NUL byte (a truncated file?)");
    return -1;
  }
  char *magic = take(&c);
  if (!magic || strcmp(magic, CONF_MAGIC) != 0) return refuse(&c, "\"" CONF_MAGIC "\" (the format this init reads)", magic);
  if (expect_number(&c, "port=", 65535, &conf->port) < 0) return -1;
  if (conf->port > 0) {
    if (expect(&c, "iface=", "iface=NAME", &conf->iface) < 0) return -1;
    if (!*conf->iface || strlen(conf->iface) >= IFNAMSIZ || strchr(conf->iface, '/')) return refuse(&c, "iface=NAME (1-15 bytes, no /)", conf->iface - 6);
    if (expect_ipv4(&c, "address=", &conf->address) < 0 || expect_ipv4(&c, "netmask=", &conf->netmask) < 0 || expect_ipv4(&c, "gateway=", &conf->gateway) < 0) return -1;
  }
  if (expect(&c, "cwd=", "cwd=PATH", &conf->cwd) < 0) return -1;
  if (conf->cwd[0] != '/') return refuse(&c, "cwd=PATH (absolute)", conf->cwd - 4);
  if (after(peek(&c), "uid=")) {
    conf->has_user = 1;
    if (expect_number(&c, "uid=", ID_MAX, &id) < 0) return -1;
    conf->uid = (uid_t)id;
    if (expect_number(&c, "gid=", ID_MAX, &id) < 0) return -1;
    conf->gid = (gid_t)id;
    if (parse_groups(&c, conf) < 0) return -1;
  }
  /* Count first: volume fields in a row, env fields in a row, then (at most) every arg field left. */
  for (char *f = c.at; f < c.end && after(f, "volume="); f += strlen(f) + 1) conf->nvolumes++;
  conf->volume_dev = calloc(conf->nvolumes + 1, sizeof *conf->volume_dev);
  conf->volume_path = calloc(conf->nvolumes + 1, sizeof *conf->volume_path);
  if (!conf->volume_dev || !conf->volume_path) {
    snprintf(conf_error, sizeof conf_error, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < conf->nvolumes; i++) {
    char *volume = (char *)after(take(&c), "volume=");
    char *colon = strchr(volume, ':');
    if (!colon || colon == volume || colon - volume > 31 || memchr(volume, '/', (size_t)(colon - volume)) || colon[1] != '/') {
      return refuse(&c, "volume=DEV:PATH (a device name, an absolute path)", volume - 7);
    }
    *colon = '\0';
    conf->volume_dev[i] = volume;
    conf->volume_path[i] = colon + 1;
  }
  size_t nargs = 0;
  char *first_env = c.at;
  for (char *f = first_env; f < c.end && after(f, "env="); f += strlen(f) + 1) conf->nenv++;
  for (char *f = first_env; f < c.end; f += strlen(f) + 1) nargs += after(f, "arg=") != NULL;
  conf->env = calloc(conf->nenv + 1, sizeof *conf->env);
  conf->argv = calloc(nargs + 1, sizeof *conf->argv);
  if (!conf->env || !conf->argv) {
    snprintf(conf_error, sizeof conf_error, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < conf->nenv; i++) {
    char *pair = (char *)after(take(&c), "env=");
    char *eq = strchr(pair, '=');
    if (!eq || !valid_key(pair, (size_t)(eq - pair))) return refuse(&c, "env=KEY=VALUE (KEY a variable name)", pair - 4);
    conf->env[i] = pair;
  }
  size_t n = 0;
  while (after(peek(&c), "arg=")) {
    conf->argv[n] = (char *)after(take(&c), "arg=");
    if (n++ == 0 && conf->argv[0][0] != '/') return refuse(&c, "arg=PROGRAM (an absolute path first)", conf->argv[0] - 4);
  }
  if (n == 0) return refuse(&c, "arg=PROGRAM (at least one argument)", take(&c));
  conf->nargs = n;
  char *end = take(&c);
  if (!end || strcmp(end, "end") != 0) return refuse(&c, "arg=VALUE or end", end);
  char *extra = take(&c);
  if (extra) return refuse(&c, "nothing after end", extra);
  return 0;
}

static int read_conf(const char *file, struct conf *conf) {
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) {
    snprintf(conf_error, sizeof conf_error, "cannot read it: %s", strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  if (st.st_size > CONF_MAX_BYTES) {
    snprintf(conf_error, sizeof conf_error, "%lld bytes, more than the %d this init reads", (long long)st.st_size, CONF_MAX_BYTES);
    close(fd);
    return -1;
  }
  size_t size = (size_t)st.st_size, got = 0;
  char *buf = malloc(size + 1);
  while (buf && got < size) {
    ssize_t r = read(fd, buf + got, size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
  }
  close(fd);
  if (!buf || got != size) {
    snprintf(conf_error, sizeof conf_error, "cannot read it: %s", buf ? "short read" : "out of memory");
    return -1;
  }
  buf[size] = '\0';
  return parse_conf(buf, size, conf);
}

/* The app's environment: the kernel's (TERM, HOME, boot parameters), each key the config sets replaced. */
static char **app_environment(const struct conf *conf) {
  size_t n = 0;
  while (environ && environ[n]) n++;
  char **env = calloc(n + conf->nenv + 1, sizeof *env);
  if (!env) return conf->env;
  size_t o = 0;
  for (size_t i = 0; i < n + conf->nenv; i++) {
    char *entry = i < n ? environ[i] : conf->env[i - n];
    size_t key = strcspn(entry, "=");
    int replaced = 0;
    for (size_t j = (i < n ? 0 : i - n + 1); j < conf->nenv && !replaced; j++) {
      replaced = strncmp(conf->env[j], entry, key) == 0 && conf->env[j][key] == '=';
    }
    if (!replaced) env[o++] = entry;
  }
  return env;
}

/* ---- the guest's set-up ---- */

static void mounts(void) {
  if (mount("proc", "/proc", "proc", 0, NULL) < 0) say("tinyx: no proc");
  if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0) say("tinyx: no sysfs");
  /* EBUSY: the kernel mounted it already (DEVTMPFS_MOUNT does, on a root from a disk). */
  if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) < 0 && errno != EBUSY) say("tinyx: no devtmpfs");
  mkdir("/dev/pts", 0755);
  mkdir("/dev/shm", 0755);
  /* What services expect, as a container runtime gives them: each needs its options kept (TMPFS or SHMEM, UNIX98_PTYS). */
  mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=620,ptmxmode=666");
  mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777");
  mount("tmpfs", "/run", "tmpfs", 0, "mode=0755");
}

/* hostname -F /etc/hostname: its first word. */
static void hostname(void) {
  char name[256];
  int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, name, sizeof name - 1);
  close(fd);
  if (n <= 0) return;
  name[n] = '\0';
  size_t len = strcspn(name, " \t\r\n");
  if (len > 0) sethostname(name, len);
}

static struct ifreq if_named(const char *iface) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, iface, IFNAMSIZ - 1);
  return ifr;
}

/* SIOCSIFADDR or SIOCSIFNETMASK (the same union member). */
static int if_set(int fd, unsigned long request, const char *iface, const char *ipv4) {
  struct ifreq ifr = if_named(iface);
  struct sockaddr_in sin = { .sin_family = AF_INET };
  inet_pton(AF_INET, ipv4, &sin.sin_addr);
  memcpy(&ifr.ifr_addr, &sin, sizeof sin);
  return ioctl(fd, request, &ifr);
}

static int if_up(int fd, const char *iface) {
  struct ifreq ifr = if_named(iface);
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) return -1;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return ioctl(fd, SIOCSIFFLAGS, &ifr);
}

static int default_route(int fd, const char *gateway) {
  struct rtentry rt;
  struct sockaddr_in any = { .sin_family = AF_INET }, gw = { .sin_family = AF_INET };
  memset(&rt, 0, sizeof rt);
  inet_pton(AF_INET, gateway, &gw.sin_addr);
  memcpy(&rt.rt_dst, &any, sizeof any);
  memcpy(&rt.rt_genmask, &any, sizeof any);
  memcpy(&rt.rt_gateway, &gw, sizeof gw);
  rt.rt_flags = RTF_UP | RTF_GATEWAY;
  return ioctl(fd, SIOCADDRT, &rt);
}

/* ifconfig lo 127.0.0.1 up; with a port, ifconfig IFACE ADDRESS netmask NETMASK up and route add default gw GATEWAY. */
static void network(const struct conf *conf) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || if_set(fd, SIOCSIFADDR, "lo", "127.0.0.1") < 0 || if_up(fd, "lo") < 0) say("tinyx: no loopback");
  if (conf->port > 0) {
    if (fd >= 0 && if_set(fd, SIOCSIFADDR, conf->iface, conf->address) == 0 && if_set(fd, SIOCSIFNETMASK, conf->iface, conf->netmask) == 0
        && if_up(fd, conf->iface) == 0) {
      if (default_route(fd, conf->gateway) < 0) say("tinyx: no default route");
    } else {
      say("tinyx: no %s", conf->iface);
    }
  }
  if (fd >= 0) close(fd);
}

/* ---- the app ---- */

/* mkdir -p; the last directory is the one that counts. */
static int make_dirs(const char *dir) {
  char path[4096];
  size_t len = strlen(dir);
  if (len >= sizeof path) return -1;
  memcpy(path, dir, len + 1);
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    mkdir(path, 0755);
    *p = '/';
  }
  struct stat st;
  return mkdir(path, 0755) == 0 || (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) ? 0 : -1;
}

/* Each volume's ext4 disk at its path (EXT4_FS and the block driver kept), the path created when missing. */
static void volumes(const struct conf *conf) {
  for (size_t i = 0; i < conf->nvolumes; i++) {
    char dev[40];
    snprintf(dev, sizeof dev, "/dev/%s", conf->volume_dev[i]);
    if (make_dirs(conf->volume_path[i]) < 0) say("tinyx: cannot create %s: %s", conf->volume_path[i], strerror(errno));
    else if (mount(dev, conf->volume_path[i], "ext4", MS_NOATIME, NULL) < 0) say("tinyx: cannot mount volume %s at %s: %s", dev, conf->volume_path[i], strerror(errno));
  }
}

/* In the child: cwd, user, environment, exec. Exit statuses as sh gives them: 127 not found, 126 not runnable. */
static void run_app(const struct conf *conf) __attribute__((noreturn));
static void run_app(const struct conf *conf) {
  struct stat st;
  setsid();
  if (strcmp(conf->cwd, "/") != 0 && (stat(conf->cwd, &st) < 0 || !S_ISDIR(st.st_mode))) {
    if (make_dirs(conf->cwd) < 0) say("tinyx: cannot create %s: %s", conf->cwd, strerror(errno));
    else if (conf->has_user && chown(conf->cwd, conf->uid, conf->gid) < 0) say("tinyx: cannot give %s to %lu:%lu: %s", conf->cwd, (unsigned long)conf->uid, (unsigned long)conf->gid, strerror(errno));
  }
  if (chdir(conf->cwd) < 0) {
    say(MARKER_INIT_FAILED " cannot cd to %s: %s", conf->cwd, strerror(errno));
    _exit(127);
  }
  if (conf->has_user) {
    const char *step = setgroups(conf->ngroups, conf->groups) < 0 ? "set groups" : setgid(conf->gid) < 0 ? "set gid" : setuid(conf->uid) < 0 ? "set uid" : NULL;
    if (step) {
      say(MARKER_INIT_FAILED " cannot %s for uid %lu: %s", step, (unsigned long)conf->uid, strerror(errno));
      _exit(126);
    }
  }
  execve(conf->argv[0], conf->argv, app_environment(conf));
  int error = errno;
  say(MARKER_INIT_FAILED " cannot execute %s: %s", conf->argv[0], strerror(error));
  _exit(error == ENOENT || error == ENOTDIR ? 127 : 126);
}

/* PID 1 reaps every child (orphans are re-parented to it) until the app's own exit. */
static int wait_for(pid_t app) {
  for (;;) {
    int status;
    pid_t pid = wait(&status);
    if (pid == app) return WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
    if (pid < 0 && errno != EINTR) return 255;
  }
}

static void on_child(int sig) { (void)sig; }

/*
 * sync, then end the VM. A reboot, not a power-off: without ACPI (tinyconfig has none) a power-off
 * only halts the CPU and QEMU runs on, while a reboot ends QEMU under -no-reboot (the tester and
 * run.sh pass it): on pc through the keyboard controller, on microvm with reboot=t (a triple fault;
 * the qemu-microvm profile keeps it on the command line). PID 1 must never exit, so if the kernel
 * returns, reap and wait forever.
 */
static void end_vm(void) __attribute__((noreturn));
static void end_vm(void) {
  sync();
  reboot(RB_AUTOBOOT);
  sigset_t chld, none;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigemptyset(&none);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  signal(SIGCHLD, on_child);
  for (;;) {
    while (waitpid(-1, NULL, WNOHANG) > 0) continue;
    sigsuspend(&none);
  }
}

/* ---- --check: the parser on the host ---- */

/* A line of the check's output: the value whole, bytes outside printable ASCII (and \\) as \\xNN. */
static void show_line(const char *label, const char *value) {
  printf("%s ", label);
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if (*p >= 0x20 && *p < 0x7f && *p != '\\') putchar(*p);
    else printf("\\x%02x", *p);
  }
  putchar('\n');
}

static int check(const char *file) {
  struct conf conf;
  if (read_conf(file, &conf) < 0) {
    printf("refused: %s\n", conf_error);
    return 1;
  }
  printf("port %lu\n", conf.port);
  if (conf.port > 0) {
    show_line("iface", conf.iface);
    printf("net %s %s %s\n", conf.address, conf.netmask, conf.gateway);
  }
  show_line("cwd", conf.cwd);
  if (conf.has_user) {
    printf("user %lu %lu", (unsigned long)conf.uid, (unsigned long)conf.gid);
    for (size_t i = 0; i < conf.ngroups; i++) printf("%s%lu", i ? "," : " ", (unsigned long)conf.groups[i]);
    printf("\n");
  }
  for (size_t i = 0; i < conf.nvolumes; i++) {
    printf("volume /dev/%s ", conf.volume_dev[i]);
    show_line("at", conf.volume_path[i]);
  }
  for (char **e = app_environment(&conf); *e; e++) show_line("env", *e);
  for (size_t i = 0; i < conf.nargs; i++) show_line("arg", conf.argv[i]);
  return 0;
}

int main(int argc, char **argv) {
  if (getpid() != 1) {
    if (argc == 3 && strcmp(argv[1], "--check") == 0) return check(argv[2]);
    fprintf(stderr, "tinyx-init: the guest's /init (PID 1); on a host: tinyx-init --check FILE\n");
    return 2;
  }
  struct timespec started = guest_clock();
  open_console();
  say(MARKER_INIT_STARTED " " GUEST_CLOCK, GUEST_CLOCK_ARGS(started));
  struct conf conf;
  if (read_conf(CONF_PATH, &conf) < 0) {
    say(MARKER_INIT_FAILED " %s: %s", CONF_PATH, conf_error);
    end_vm();
  }
  mounts();
  open_console();
  volumes(&conf);
  hostname();
  network(&conf);
  pid_t app = fork();
  if (app < 0) {
    say(MARKER_INIT_FAILED " cannot fork: %s", strerror(errno));
    end_vm();
  }
  if (app == 0) run_app(&conf);
  struct timespec forked = guest_clock();
  say(MARKER_APP_STARTED " " GUEST_CLOCK, GUEST_CLOCK_ARGS(forked));
  int status = wait_for(app);
  say(MARKER_APP_EXITED " %d", status);
  /* 126/127: the app could not be executed (missing file or loader, no binfmt for it), as the rc says. */
  if (status == 126 || status == 127) say(MARKER_INIT_FAILED " the app could not be executed (status %d)", status);
  end_vm();
}
