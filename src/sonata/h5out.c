/* SPDX-License-Identifier: MIT
 * sonata/h5out.c -- HDF5 helpers shared by the output writers (spikes.c,
 * report.c): closing any kind of handle, string attributes, and checking
 * that an output folder is writable before a temporary file is made there.
 */
#include "h5out_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAIL_AT(err, code, path, key, ...)                                                         \
    (RV_FAIL((err), (code), __VA_ARGS__), rv_error_where((err), (path), 0, (key)), (code))

void rv__h5o_close(hid_t *id) {
    if (*id < 0) return;
    switch (H5Iget_type(*id)) {
    case H5I_FILE:
        H5Fclose(*id);
        break;
    case H5I_GROUP:
        H5Gclose(*id);
        break;
    case H5I_DATASET:
        H5Dclose(*id);
        break;
    case H5I_DATASPACE:
        H5Sclose(*id);
        break;
    case H5I_DATATYPE:
        H5Tclose(*id);
        break;
    case H5I_ATTR:
        H5Aclose(*id);
        break;
    case H5I_GENPROP_LST:
        H5Pclose(*id);
        break;
    default:
        break;
    }
    *id = H5I_INVALID_HID;
}

int rv__h5o_write_str_attr(hid_t obj, const char *name, const char *value) {
    hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR), a = H5I_INVALID_HID;
    int rc = -1;
    if (t >= 0 && sp >= 0 && H5Tset_size(t, H5T_VARIABLE) >= 0 &&
        H5Tset_cset(t, H5T_CSET_UTF8) >= 0) {
        a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0 && H5Awrite(a, t, &value) >= 0) rc = 0;
    }
    rv__h5o_close(&a);
    rv__h5o_close(&sp);
    rv__h5o_close(&t);
    return rc;
}

rv_status rv__h5o_check_dir(const char *path, rv_error *err) {
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return FAIL_AT(err, RV_EIO, path, NULL, "cannot write in directory '%s': %s", dir,
                       strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return FAIL_AT(err, RV_EIO, path, NULL, "'%s' is not a directory", dir);
    if (access(dir, W_OK) != 0)
        return FAIL_AT(err, RV_EIO, path, NULL, "cannot write in directory '%s': %s", dir,
                       strerror(errno));
    return RV_OK;
}

/* Read a scalar string attribute (variable or fixed length) into buf. */
int rv__h5o_read_str_attr(hid_t a, char *buf, size_t n) {
    hid_t ft = H5Aget_type(a), mt = H5I_INVALID_HID;
    int rc = -1;
    if (ft < 0 || H5Tget_class(ft) != H5T_STRING) goto done;
    if (H5Tis_variable_str(ft) > 0) {
        char *s = NULL;
        mt = H5Tcopy(H5T_C_S1);
        if (mt < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0) goto done;
        H5Tset_cset(mt, H5Tget_cset(ft));
        if (H5Aread(a, mt, &s) < 0) goto done;
        snprintf(buf, n, "%s", s ? s : "");
        if (s) H5free_memory(s);
        rc = 0;
    } else {
        size_t sz = H5Tget_size(ft);
        char *tmp = rv_malloc(sz + 1);
        if (!tmp) goto done;
        mt = H5Tcopy(ft);
        if (mt >= 0 && H5Aread(a, mt, tmp) >= 0) {
            tmp[sz] = 0;
            snprintf(buf, n, "%s", tmp);
            rc = 0;
        }
        rv_free(tmp);
    }
done:
    rv__h5o_close(&mt);
    rv__h5o_close(&ft);
    return rc;
}

const char *rv__h5o_type_desc(hid_t t, char *buf, size_t n) {
    switch (H5Tget_class(t)) {
    case H5T_INTEGER:
        snprintf(buf, n, "%sint%zu", H5Tget_sign(t) == H5T_SGN_NONE ? "u" : "", H5Tget_size(t) * 8);
        break;
    case H5T_FLOAT:
        snprintf(buf, n, "float%zu", H5Tget_size(t) * 8);
        break;
    case H5T_STRING:
        snprintf(buf, n, "string");
        break;
    case H5T_ENUM:
        snprintf(buf, n, "enum");
        break;
    case H5T_COMPOUND:
        snprintf(buf, n, "compound");
        break;
    default:
        snprintf(buf, n, "an unsupported type");
        break;
    }
    return buf;
}
