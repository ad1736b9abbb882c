/* Preloaded (LD_PRELOAD) into `rampart serve` by tests/sandbox.rs, it makes the running server
 * try to open files, as an exploited bug in it would. SANDBOX_PROBE names the files, one per
 * line, each as "r PATH" (read) or "c PATH" (create, write only). On SIGUSR2, whichever of the
 * server's threads takes the signal opens each in turn and writes one line per file to standard
 * error: "sandbox-probe: INDEX FD ERRNO" (FD -1 when refused). Everything the handler calls is
 * async-signal-safe (open, close, write). The handler is installed before `main`; the files are
 * opened only when the test signals, long after `serve` has confined itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PROBES 16
#define MAX_CHARS 8192

static char paths[MAX_CHARS];
static const char *probe_path[MAX_PROBES];
static int probe_flags[MAX_PROBES];
static int probes;

static size_t put_number(char *out, long value) {
    char digits[24];
    size_t n = 0, len = 0;
    unsigned long magnitude = value < 0 ? -(unsigned long)value : (unsigned long)value;
    do {
        digits[n++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    if (value < 0) out[len++] = '-';
    while (n > 0) out[len++] = digits[--n];
    return len;
}

static void probe_files(int signal_number) {
    (void)signal_number;
    int saved_errno = errno;
    for (int i = 0; i < probes; i++) {
        int fd = open(probe_path[i], probe_flags[i], 0600);
        int error = fd < 0 ? errno : 0;
        char line[96] = "sandbox-probe: ";
        size_t len = strlen(line);
        len += put_number(line + len, i);
        line[len++] = ' ';
        len += put_number(line + len, fd);
        line[len++] = ' ';
        len += put_number(line + len, error);
        line[len++] = '\n';
        if (write(STDERR_FILENO, line, len) < 0) break;
        if (fd >= 0) close(fd);
    }
    errno = saved_errno;
}

__attribute__((constructor)) static void install_probe(void) {
    const char *spec = getenv("SANDBOX_PROBE");
    if (spec == NULL || strlen(spec) >= MAX_CHARS) return;
    strcpy(paths, spec);
    for (char *line = strtok(paths, "\n"); line != NULL && probes < MAX_PROBES;
         line = strtok(NULL, "\n")) {
        if (strlen(line) < 3 || line[1] != ' ') continue;
        probe_flags[probes] = line[0] == 'c' ? O_WRONLY | O_CREAT : O_RDONLY;
        probe_path[probes] = line + 2;
        probes++;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = probe_files;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &action, NULL);
}
