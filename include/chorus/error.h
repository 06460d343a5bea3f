/* Chorus error codes.
 *
 * Every Chorus function that can fail returns int: 0 on success, one of the
 * negative CHORUS_E* codes below on failure. Codes from dependencies (MDB_*,
 * CURLcode, libxml2) are translated at the module boundary and never leak.
 */
#ifndef CHORUS_ERROR_H
#define CHORUS_ERROR_H

enum {
    CHORUS_OK = 0,
    CHORUS_EINVAL = -1,    /* invalid argument or input */
    CHORUS_ENOMEM = -2,    /* allocation failed (rare: OOM usually aborts) */
    CHORUS_ENOTFOUND = -3, /* no such record */
    CHORUS_EEXIST = -4,    /* record already exists */
    CHORUS_EIO = -5,       /* storage or file I/O failure */
    CHORUS_ESCHEMA = -6,   /* data folder written by a newer Chorus */
    CHORUS_EMAPFULL = -7,  /* LMDB map full (handled inside store_write) */
    CHORUS_ETOOBIG = -8,   /* input over a configured cap */
    CHORUS_ECORRUPT = -9,  /* stored record fails to decode */
    CHORUS_EBUSY = -10,    /* resource busy, try again */
    CHORUS_ESTOP = -11,    /* iteration stopped early by a callback */
    CHORUS_EPARSE = -12,   /* malformed document */
    CHORUS_ELIMIT = -13,   /* a per-record limit is reached (e.g. responses) */
};

/* chorus_strerror returns a static, human-readable string for a CHORUS_E*
 * code. Never NULL; unknown codes give "unknown error". Any thread. */
const char *chorus_strerror(int err);

#endif
