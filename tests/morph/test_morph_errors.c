/* SPDX-License-Identifier: MIT
 * tests/morph/test_morph_errors.c -- the bad-input catalogue.  Every
 * malformed morphology must give its status code and a message that names
 * the file and the line (or, for h5, the dataset), and nothing may crash.
 * The formatted messages are printed.
 * usage: test_morph_errors DATA_DIR
 */
#include "ranvier/morph.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0, count = 0;

typedef struct bad {
    const char *name; /* file name (extension picks the reader) */
    const char *text;
    rv_status code;
    int line;         /* expected line, 0: none */
    const char *what; /* expected in the message */
} bad;

static const bad cases[] = {
    {"empty.swc", "", RV_EFORMAT, 0, "no points"},
    {"comments.swc", "# nothing\n\n# here\n", RV_EFORMAT, 0, "no points"},
    {"truncated.swc", "1 1 0 0 0 5 -1\n2 3 5 0 0 1 1\n3 3 9 0", RV_EFORMAT, 3,
     "expected 7 numbers"},
    {"badnum.swc", "1 1 0 0 0 5 -1\n2 3 5 0 zero 1 1\n", RV_EFORMAT, 2, "expected 7 numbers"},
    {"nan.swc", "1 1 0 0 0 5 -1\n2 3 nan 0 0 1 1\n", RV_EFORMAT, 2, "not a finite number"},
    {"noparent.swc", "1 1 0 0 0 5 -1\n4 3 5 0 0 1 1\n5 3 9 0 0 1 2\n", RV_EFORMAT, 3,
     "parent id 2 of point 5 not found"},
    {"cycle.swc", "1 1 0 0 0 5 -1\n2 3 5 0 0 1 3\n3 3 9 0 0 1 2\n", RV_EFORMAT, 2,
     "not less than the id"},
    {"self.swc", "1 1 0 0 0 5 -1\n2 3 5 0 0 1 2\n", RV_EFORMAT, 2, "not less than the id"},
    {"dup.swc", "1 1 0 0 0 5 -1\n2 3 5 0 0 1 1\n2 3 9 0 0 1 1\n", RV_EFORMAT, 3, "duplicate id 2"},
    {"tworoots.swc", "1 1 0 0 0 5 -1\n2 3 5 0 0 1 1\n3 3 50 0 0 1 -1\n", RV_EUNSUPPORTED, 3,
     "second root"},
    {"negrad.swc", "1 1 0 0 0 5 -1\n2 3 5 0 0 -1 1\n", RV_ERANGE, 2, "negative radius"},
    {"fracid.swc", "1 1 0 0 0 5 -1\n2.5 3 5 0 0 1 1\n", RV_EFORMAT, 2, "not a non-negative"},
    {"empty.asc", "  ; only a comment\n", RV_EFORMAT, 0, "no objects"},
    {"unclosed.asc",
     "(\"CellBody\"\n (CellBody)\n (1 0 0)\n (0 1 0)\n (-1 0 0)\n)\n"
     "( (Dendrite)\n (2 0 0 1)\n (9 0 0 1)\n",
     RV_EFORMAT, 9, "unbalanced parentheses"},
    {"extra_paren.asc", "( (Dendrite)\n (2 0 0 1)\n (9 0 0 1)\n)\n)\n", RV_EFORMAT, 5,
     "expected '(' starting an object"},
    {"truncated.asc", "( (Dendrite)\n (2 0 0 1)\n (9 0", RV_EFORMAT, 3, "end of the file"},
    {"badchar.asc", "( (Dendrite)\n (2 0 0 1)\n (9 @ 0 1)\n)\n", RV_EFORMAT, 3,
     "unexpected character '@'"},
    {"badnum.asc", "( (Dendrite)\n (2 0 0 1)\n (9 x 0 1)\n)\n", RV_EFORMAT, 3,
     "expected number, found label 'x'"},
    {"string.asc", "(\"CellBody\n (1 0 0)\n)\n", RV_EFORMAT, 1, "closing '\"'"},
    {"negdiam.asc", "( (Dendrite)\n (2 0 0 1)\n (9 0 0 -1)\n)\n", RV_ERANGE, 3,
     "negative diameter"},
    {"onecoord.asc", "( (Axon)\n (2)\n)\n", RV_EFORMAT, 2, "expected number, found ')'"},
    {"nopoints.asc", "( (Dendrite)\n)\n", RV_EFORMAT, 2, "expected '(', found ')'"},
    {"badsplit.asc", "( (Dendrite)\n (2 0 0 1)\n (\n (3 0 0 1)\n |\n )\n)\n", RV_EFORMAT, 6,
     "expected '('"},
    {"unclosed_marker.asc", "( (Dendrite)\n (2 0 0 1)\n (Dot (1 2 3 4)\n", RV_EFORMAT, 3,
     "marker list"},
    {"point_soma.asc", "(\"CellBody\"\n (1 1 0)\n (1 1 0)\n (1 1 0)\n (1 1 0)\n)\n",
     RV_EUNSUPPORTED, 2, "degenerate"},
};

static void check(const char *file, rv_status st, const rv_error *err, const bad *c,
                  const char *key) {
    char buf[1200];
    count++;
    rv_error_format(err, buf, sizeof buf);
    printf("%-22s %s\n", c->name, st ? buf : "(accepted)");
    int ok = st == c->code && strstr(err->msg, c->what) && strstr(err->path, file) &&
             (c->line == 0 || err->line == c->line) && err->src_file &&
             (!key || strcmp(err->key, key) == 0);
    if (!ok) {
        failures++;
        printf("  FAIL: want status %d line %d \"%s\"%s%s, got status %d line %d\n", c->code,
               c->line, c->what, key ? " key " : "", key ? key : "", st, err->line);
    }
}

/* h5 files made with the HDF5 C API in a temporary directory */
static void write_ds(hid_t f, const char *name, hid_t type, int rows, int cols, const void *data) {
    hsize_t dims[2] = {(hsize_t)rows, (hsize_t)cols};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t ds = H5Dcreate2(f, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(ds);
    H5Sclose(sp);
}

static void h5case(const char *dir, const char *name, int pcols, int scols, int npt, int nst,
                   const float *pts, const int *st, const bad *c, const char *key) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (pts) write_ds(f, "points", H5T_NATIVE_FLOAT, npt, pcols, pts);
    if (st) write_ds(f, "structure", H5T_NATIVE_INT, nst, scols, st);
    H5Fclose(f);
    rv_error err = {0};
    rv_morph *m = NULL;
    rv_status s = rv_morph_load(path, RV_MORPH_AUTO, &m, &err);
    check(name, s, &err, c, key);
    rv_morph_destroy(m);
    unlink(path);
}

static void h5_cases(void) {
    char dir[] = "/tmp/rvmorphXXXXXX";
    if (!mkdtemp(dir)) {
        failures++;
        return;
    }
    static const float pts[] = {1, 0, 0, 1, 0, 1, 0, 1, -1, 0, 0,  1, 0, -1,
                                0, 1, 2, 0, 0, 1, 9, 0, 0,  1, 12, 0, 0, 1};
    static const int st[] = {0, 1, -1, 4, 3, 0, 6, 3, 1};
    static const int st_badpar[] = {0, 1, -1, 4, 3, 5, 6, 3, 1};
    static const int st_order[] = {0, 1, -1, 6, 3, 0, 4, 3, 1};
    static const int st_two[] = {0, 1, -1, 2, 3, 0};
    static const bad c1 = {"nopoints.h5", 0, RV_EFORMAT, 0, "missing dataset /points"};
    static const bad c2 = {"nostructure.h5", 0, RV_EFORMAT, 0, "missing dataset /structure"};
    static const bad c3 = {"columns.h5", 0, RV_EFORMAT, 0, "with 4 columns"};
    static const bad c4 = {"badparent.h5", 0, RV_EFORMAT, 0, "not an earlier section"};
    static const bad c5 = {"order.h5", 0, RV_EFORMAT, 0, "out of order"};
    static const bad c6 = {"twopoint.h5", 0, RV_EUNSUPPORTED, 0, "two points"};
    h5case(dir, "nopoints.h5", 4, 3, 7, 3, NULL, st, &c1, "/points");
    h5case(dir, "nostructure.h5", 4, 3, 7, 3, pts, NULL, &c2, "/structure");
    h5case(dir, "columns.h5", 7, 3, 4, 3, pts, st, &c3, "/points");
    h5case(dir, "badparent.h5", 4, 3, 7, 3, pts, st_badpar, &c4, "/structure");
    h5case(dir, "order.h5", 4, 3, 7, 3, pts, st_order, &c5, "/structure");
    h5case(dir, "twopoint.h5", 4, 3, 3, 2, pts + 12, st_two, &c6, "/structure");
    /* not an HDF5 file at all */
    char path[1024];
    snprintf(path, sizeof path, "%s/text.h5", dir);
    FILE *f = fopen(path, "w");
    fputs("1 1 0 0 0 1 -1\n", f);
    fclose(f);
    rv_error err = {0};
    rv_morph *m = NULL;
    static const bad c7 = {"text.h5", 0, RV_EIO, 0, "HDF5"};
    check("text.h5", rv_morph_load(path, RV_MORPH_AUTO, &m, &err), &err, &c7, NULL);
    unlink(path);
    rmdir(dir);
}

int main(int argc, char **argv) {
    (void)argc, (void)argv;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
        const bad *c = &cases[i];
        rv_error err = {0};
        rv_morph *m = NULL;
        rv_status st =
            rv_morph_load_mem(c->text, strlen(c->text), c->name, RV_MORPH_AUTO, &m, &err);
        check(c->name, st, &err, c, NULL);
        if (m) rv_morph_destroy(m);
    }
    /* deep nesting is refused, not a stack overflow */
    size_t n = 200000 * 20 + 64;
    char *deep = malloc(n);
    size_t k = (size_t)sprintf(deep, "( (Dendrite)\n");
    for (int i = 0; i < 200000; ++i) k += (size_t)sprintf(deep + k, "(%d 0 0 1) (\n", i);
    rv_error err = {0};
    rv_morph *m = NULL;
    static const bad cdeep = {"deep.asc", 0, RV_EUNSUPPORTED, 2002, "nested deeper"};
    check("deep.asc", rv_morph_load_mem(deep, k, "deep.asc", RV_MORPH_AUTO, &m, &err), &err, &cdeep,
          NULL);
    free(deep);
    /* a file that does not exist */
    static const bad cmiss = {"missing.asc", 0, RV_ENOENT, 0, "cannot open"};
    check("missing.asc", rv_morph_load("/nonexistent/missing.asc", RV_MORPH_AUTO, &m, &err), &err,
          &cmiss, NULL);
    h5_cases();
    printf("%d bad inputs: %s (%d failures)\n", count, failures ? "FAILED" : "ok", failures);
    return failures != 0;
}
