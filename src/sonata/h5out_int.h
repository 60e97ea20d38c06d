/* SPDX-License-Identifier: MIT
 * sonata/h5out_int.h -- private HDF5 helpers of the output writers. */
#ifndef RV_SONATA_H5OUT_INT_H
#define RV_SONATA_H5OUT_INT_H

#include "ranvier/base.h"

#include <hdf5.h>

/* Close a handle of any kind and set it to H5I_INVALID_HID (no-op if < 0). */
void rv__h5o_close(hid_t *id);
/* Write a scalar variable-length UTF-8 string attribute; 0 on success. */
int rv__h5o_write_str_attr(hid_t obj, const char *name, const char *value);
/* Read the scalar string attribute a (variable or fixed length) into buf;
 * 0 on success. */
int rv__h5o_read_str_attr(hid_t a, char *buf, size_t n);
/* The folder of `path` exists and is writable (error names the folder). */
rv_status rv__h5o_check_dir(const char *path, rv_error *err);
/* "float64", "uint32", "string", "enum", ... of an HDF5 type, for messages. */
const char *rv__h5o_type_desc(hid_t t, char *buf, size_t n);

#endif
