/* SPDX-License-Identifier: MIT
 * nmodl/build.c -- compile folders of .mod files into one shared object,
 * cached by content.
 *
 * Key: FNV-1a 64 over the generator version and revision, the texts pasted
 * into generated code (compatibility layer, runtime solvers), the mechanism
 * ABI (version and the text of mech_abi.h this library was built with), the compiler and its
 * flags, and every input file's base name and contents in sorted order.
 * The object lives at <cache>/mech-<key>.so, where <cache> is
 * $XDG_CACHE_HOME/ranvier or ~/.cache/ranvier (created with mode 0700);
 * when it exists nothing is translated or compiled.  Otherwise the files are
 * translated into a fresh temporary directory inside the cache (with a copy
 * of mech_abi.h and a registry listing every type), compiled by one run of
 * the C compiler started with fork/execvp (no shell), and the result is
 * renamed into place atomically, so concurrent builds of the same inputs
 * are safe.  -ffp-contract=off keeps the arithmetic exactly as written (no
 * fused multiply-add), which bit-identity with NEURON needs; -O3 and
 * -fno-math-errno (libm calls without errno: same values, but pure, so they
 * can be shared and hoisted) do not change any result; -fno-plt calls libm
 * through the GOT without the PLT stub.
 */
#include "nmodl_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const cflags[] = {
    "-O3",      "-fPIC", "-shared", "-ffp-contract=off", "-fno-fast-math", "-fno-math-errno",
    "-fno-plt", NULL};

static void fnv(uint64_t *h, const void *p, size_t n) {
    const unsigned char *c = p;
    for (size_t i = 0; i < n; ++i) *h = (*h ^ c[i]) * 1099511628211ULL;
}

static void fnv_str(uint64_t *h, const char *s) {
    fnv(h, s, strlen(s) + 1);
}

typedef struct input {
    char *path;
    const char *base;
    char *src;
    size_t len;
} input;

static int cmp_input(const void *a, const void *b) {
    const input *x = a, *y = b;
    int c = strcmp(x->base, y->base);
    return c ? c : strcmp(x->path, y->path);
}

static bool ends_with(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static rv_status add_input(input **in, int *n, int *cap, const char *path, rv_error *err) {
    if (*n == *cap) {
        size_t c = (size_t)*cap;
        if (rv_grow((void **)in, &c, (size_t)*n + 1, sizeof **in))
            return RV_FAIL(err, RV_ENOMEM, "out of memory");
        *cap = (int)c;
    }
    input *x = &(*in)[*n];
    memset(x, 0, sizeof *x);
    x->path = rv_strdup(path);
    if (!x->path) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    const char *b = strrchr(x->path, '/');
    x->base = b ? b + 1 : x->path;
    (*n)++;
    return RV_OK;
}

static rv_status collect(const char *const *paths, int npaths, input **in, int *n, rv_error *err) {
    int cap = 0;
    *in = NULL;
    *n = 0;
    for (int k = 0; k < npaths; ++k) {
        struct stat sb;
        if (stat(paths[k], &sb) != 0)
            return RV_FAIL(err, RV_ENOENT, "%s: no such file or directory", paths[k]);
        if (S_ISREG(sb.st_mode)) {
            rv_status st = add_input(in, n, &cap, paths[k], err);
            if (st) return st;
            continue;
        }
        if (!S_ISDIR(sb.st_mode))
            return RV_FAIL(err, RV_EINVAL, "%s is neither a file nor a directory", paths[k]);
        DIR *d = opendir(paths[k]);
        if (!d) return RV_FAIL(err, RV_EIO, "cannot read directory %s", paths[k]);
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.' || !ends_with(de->d_name, ".mod")) continue;
            char p[4096];
            if (snprintf(p, sizeof p, "%s/%s", paths[k], de->d_name) >= (int)sizeof p) {
                closedir(d);
                return RV_FAIL(err, RV_ERANGE, "path too long in %s", paths[k]);
            }
            rv_status st = add_input(in, n, &cap, p, err);
            if (st) {
                closedir(d);
                return st;
            }
        }
        closedir(d);
    }
    if (*n == 0) return RV_FAIL(err, RV_ENOENT, "no .mod files in the given directories");
    qsort(*in, (size_t)*n, sizeof **in, cmp_input);
    return RV_OK;
}

static void free_inputs(input *in, int n) {
    for (int k = 0; k < n; ++k) {
        rv_free(in[k].path);
        rv_free(in[k].src);
    }
    rv_free(in);
}

/* mkdir -p with mode 0700 for the components it creates */
static rv_status mkdirs(const char *path, rv_error *err) {
    char p[4096];
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
        return RV_FAIL(err, RV_ERANGE, "cache path too long");
    for (char *s = p + 1;; ++s) {
        if (*s == '/' || *s == 0) {
            char c = *s;
            *s = 0;
            if (mkdir(p, 0700) != 0 && errno != EEXIST)
                return RV_FAIL(err, RV_EIO, "cannot create %s: %s", p, strerror(errno));
            *s = c;
            if (c == 0) break;
        }
    }
    return RV_OK;
}

static rv_status cache_root(const rv_nmodl_build_opts *o, char *out, size_t n, rv_error *err) {
    const char *x = getenv("XDG_CACHE_HOME");
    int w;
    if (o && o->cache_dir)
        w = snprintf(out, n, "%s", o->cache_dir);
    else if (x && x[0] == '/')
        w = snprintf(out, n, "%s/ranvier", x);
    else {
        const char *home = getenv("HOME");
        if (!home || home[0] != '/')
            return RV_FAIL(err, RV_ENOENT, "no cache directory: set XDG_CACHE_HOME or HOME");
        w = snprintf(out, n, "%s/.cache/ranvier", home);
    }
    if (w < 0 || (size_t)w >= n) return RV_FAIL(err, RV_ERANGE, "cache path too long");
    return mkdirs(out, err);
}

static rv_status write_file(const char *path, const char *data, size_t len, rv_error *err) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return RV_FAIL(err, RV_EIO, "cannot create %s: %s", path, strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            close(fd);
            return RV_FAIL(err, RV_EIO, "cannot write %s: %s", path, strerror(errno));
        }
        off += (size_t)w;
    }
    if (close(fd) != 0) return RV_FAIL(err, RV_EIO, "cannot write %s", path);
    return RV_OK;
}

static rv_status copy_file(const char *from, const char *to, rv_error *err) {
    char *data;
    size_t len;
    rv_status st = rv__nmodl_read_file(from, &data, &len, err);
    if (st) return st;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", to, (long)getpid());
    st = write_file(tmp, data, len, err);
    rv_free(data);
    if (st) return st;
    chmod(tmp, 0755);
    if (rename(tmp, to) != 0) {
        unlink(tmp);
        return RV_FAIL(err, RV_EIO, "cannot write %s: %s", to, strerror(errno));
    }
    return RV_OK;
}

/* run argv with stdout and stderr into logpath; returns the exit status */
static rv_status run(char *const *argv, const char *logpath, int verbose, int *status,
                     rv_error *err) {
    if (verbose) {
        for (int k = 0; argv[k]; ++k) fprintf(stderr, "%s%s", k ? " " : "", argv[k]);
        fprintf(stderr, "\n");
    }
    int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return RV_FAIL(err, RV_EIO, "cannot create %s", logpath);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd);
        return RV_FAIL(err, RV_EIO, "fork failed: %s", strerror(errno));
    }
    if (pid == 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        execvp(argv[0], argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fd);
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR) return RV_FAIL(err, RV_EIO, "waitpid: %s", strerror(errno));
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    return RV_OK;
}

static void rmtree_flat(const char *dir) {
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        char p[4200];
        while ((de = readdir(d))) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
            snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
            struct stat sb;
            if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
                rmtree_flat(p);
            else
                unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

rv_status rv_nmodl_build(const char *const *paths, int npaths, const rv_nmodl_build_opts *opts,
                         char *so_path, size_t so_n, int *cache_hit, char **diag_out,
                         rv_error *err) {
    if (diag_out) *diag_out = NULL;
    if (cache_hit) *cache_hit = 0;
    const char *cc = opts && opts->cc ? opts->cc : getenv("CC");
    if (!cc || !*cc) cc = "cc";
    input *in = NULL;
    int n = 0;
    nm_buf diag = {0};
    char root[4096], tmpdir[4200] = "";
    rv_status st = collect(paths, npaths, &in, &n, err);
    if (st) goto done;
    for (int k = 0; k < n; ++k) {
        st = rv__nmodl_read_file(in[k].path, &in[k].src, &in[k].len, err);
        if (st) goto done;
    }
    uint64_t h = 1469598103934665603ULL;
    char ver[64];
    snprintf(ver, sizeof ver, "ranvier-nmodl %d.%d abi %d", RV_NMODL_VERSION,
             RV__NMODL_GEN_REVISION, RV_MECH_ABI_VERSION);
    fnv_str(&h, ver);
    fnv_str(&h, rv__nmodl_abi_header);
    fnv_str(&h, rv__nmodl_compat);
    fnv_str(&h, rv__nmodl_rt_solvers);
    fnv_str(&h, cc);
    for (int k = 0; cflags[k]; ++k) fnv_str(&h, cflags[k]);
    for (int k = 0; k < n; ++k) {
        fnv_str(&h, in[k].base);
        uint64_t len = in[k].len;
        fnv(&h, &len, sizeof len);
        fnv(&h, in[k].src, in[k].len);
    }
    st = cache_root(opts, root, sizeof root, err);
    if (st) goto done;
    if (snprintf(so_path, so_n, "%s/mech-%016llx.so", root, (unsigned long long)h) >= (int)so_n) {
        st = RV_FAIL(err, RV_ERANGE, "cache path too long");
        goto done;
    }
    struct stat sb;
    if (!(opts && opts->force) && stat(so_path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if (cache_hit) *cache_hit = 1;
        if (opts && opts->out) st = copy_file(so_path, opts->out, err);
        goto done;
    }
    /* translate everything first: report every file's errors */
    nm_buf *cs = rv_calloc((size_t)n, sizeof(nm_buf));
    nm_buf ex = {0}, names = {0};
    if (!cs) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto done;
    }
    rv_status first = RV_OK;
    rv_error e1 = {0};
    for (int k = 0; k < n; ++k) {
        rv_error ek = {0};
        rv_status sk = rv__nmodl_translate_buf(in[k].path, in[k].src, in[k].len, &cs[k], &ex,
                                               &names, &diag, &ek);
        if (sk && !first) {
            first = sk;
            e1 = ek;
        }
    }
    /* two files defining the same mechanism */
    if (!first && names.s) {
        for (char *a = names.s; *a;) {
            char *na = strchr(a, '\n');
            if (!na) break;
            for (char *b = na + 1; *b;) {
                char *nb = strchr(b, '\n');
                if (!nb) break;
                if (nb - b == na - a && memcmp(a, b, (size_t)(na - a)) == 0) {
                    first = RV_FAIL(&e1, RV_EINVAL, "mechanism %.*s is defined twice",
                                    (int)(na - a), a);
                    break;
                }
                b = nb + 1;
            }
            if (first) break;
            a = na + 1;
        }
    }
    if (first) {
        if (err) *err = e1;
        st = first;
    }
    if (!st) {
        snprintf(tmpdir, sizeof tmpdir, "%s/build-XXXXXX", root);
        if (!mkdtemp(tmpdir)) {
            st = RV_FAIL(err, RV_EIO, "cannot create a build directory in %s: %s", root,
                         strerror(errno));
            tmpdir[0] = 0;
        }
    }
    char p[4400];
    if (!st) {
        snprintf(p, sizeof p, "%s/include", tmpdir);
        mkdir(p, 0700);
        snprintf(p, sizeof p, "%s/include/ranvier", tmpdir);
        mkdir(p, 0700);
        snprintf(p, sizeof p, "%s/include/ranvier/mech_abi.h", tmpdir);
        st = write_file(p, rv__nmodl_abi_header, strlen(rv__nmodl_abi_header), err);
    }
    /* headers VERBATIM code includes from NEURON, empty: what they declare
     * comes with the compatibility layer (no NEURON installation needed) */
    static const char *const stub_headers[] = {"nrnran123.h", NULL};
    for (int k = 0; stub_headers[k] && !st; ++k) {
        static const char stub[] = "/* ranvier: provided by the NMODL compatibility layer */\n";
        snprintf(p, sizeof p, "%s/include/%s", tmpdir, stub_headers[k]);
        st = write_file(p, stub, strlen(stub), err);
    }
    for (int k = 0; k < n && !st; ++k) {
        snprintf(p, sizeof p, "%s/m%d.c", tmpdir, k);
        st = write_file(p, cs[k].s ? cs[k].s : "", cs[k].len, err);
    }
    if (!st) {
        nm_buf reg = {0};
        nm_buf_put(&reg, "#include \"ranvier/mech_abi.h\"\n");
        for (char *a = ex.s; a && *a;) {
            char *na = strchr(a, '\n');
            if (!na) break;
            nm_buf_printf(&reg, "extern const rv_mech_type %.*s;\n", (int)(na - a), a);
            a = na + 1;
        }
        nm_buf_put(&reg, "int rv_mechanisms(const rv_mech_type *const **types);\n"
                         "int rv_mechanisms(const rv_mech_type *const **types) {\n"
                         "    static const rv_mech_type *const list[] = {\n");
        for (char *a = ex.s; a && *a;) {
            char *na = strchr(a, '\n');
            if (!na) break;
            nm_buf_printf(&reg, "        &%.*s,\n", (int)(na - a), a);
            a = na + 1;
        }
        nm_buf_put(&reg, "    };\n    *types = list;\n"
                         "    return (int)(sizeof list / sizeof *list);\n}\n");
        snprintf(p, sizeof p, "%s/registry.c", tmpdir);
        st =
            reg.oom ? RV_FAIL(err, RV_ENOMEM, "out of memory") : write_file(p, reg.s, reg.len, err);
        nm_buf_free(&reg);
    }
    if (!st) {
        /* cc flags -I tmp/include -DRV_NMODL_NO_REGISTRY -o tmp/lib.so m*.c registry.c -lm */
        int na = 0, cap = n + 32;
        char **argv = rv_calloc((size_t)cap, sizeof(char *));
        char inc[4400], so_tmp[4400], logp[4400];
        snprintf(inc, sizeof inc, "-I%s/include", tmpdir);
        snprintf(so_tmp, sizeof so_tmp, "%s/lib.so", tmpdir);
        snprintf(logp, sizeof logp, "%s/cc.log", tmpdir);
        char **files = rv_calloc((size_t)n + 1, sizeof(char *));
        if (!argv || !files) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        } else {
            argv[na++] = (char *)cc;
            for (int k = 0; cflags[k]; ++k) argv[na++] = (char *)cflags[k];
            argv[na++] = inc;
            argv[na++] = "-DRV_NMODL_NO_REGISTRY";
            argv[na++] = "-o";
            argv[na++] = so_tmp;
            for (int k = 0; k < n && !st; ++k) {
                files[k] = rv_malloc(strlen(tmpdir) + 32);
                if (!files[k]) {
                    st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                    break;
                }
                sprintf(files[k], "%s/m%d.c", tmpdir, k);
                argv[na++] = files[k];
            }
            char regp[4400];
            snprintf(regp, sizeof regp, "%s/registry.c", tmpdir);
            argv[na++] = regp;
            argv[na++] = "-lm";
            argv[na] = NULL;
            int status = 0;
            if (!st) st = run(argv, logp, opts && opts->verbose, &status, err);
            if (!st && status != 0) {
                char *log = NULL;
                size_t ll;
                rv_error el;
                if (rv__nmodl_read_file(logp, &log, &ll, &el) == RV_OK) {
                    nm_buf_put(&diag, log);
                    rv_free(log);
                }
                st =
                    RV_FAIL(err, RV_EIO, "the C compiler '%s' failed (exit status %d)", cc, status);
            }
            if (!st && rename(so_tmp, so_path) != 0)
                st = RV_FAIL(err, RV_EIO, "cannot move the library to %s: %s", so_path,
                             strerror(errno));
            if (!st && opts && opts->out) st = copy_file(so_path, opts->out, err);
        }
        if (files)
            for (int k = 0; k < n; ++k) rv_free(files[k]);
        rv_free(files);
        rv_free(argv);
    }
    for (int k = 0; k < n; ++k) nm_buf_free(&cs[k]);
    rv_free(cs);
    nm_buf_free(&ex);
    nm_buf_free(&names);
done:
    if (tmpdir[0]) rmtree_flat(tmpdir);
    free_inputs(in, n);
    if (diag_out)
        *diag_out = diag.s ? diag.s : rv_strdup("");
    else
        nm_buf_free(&diag);
    return st;
}
