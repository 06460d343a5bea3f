/* Error strings for CHORUS_E* codes. */
#include "chorus/base.h"

const char *chorus_strerror(int err)
{
    switch (err) {
    case CHORUS_OK:
        return "success";
    case CHORUS_EINVAL:
        return "invalid input";
    case CHORUS_ENOMEM:
        return "out of memory";
    case CHORUS_ENOTFOUND:
        return "not found";
    case CHORUS_EEXIST:
        return "already exists";
    case CHORUS_EIO:
        return "storage or file I/O failure";
    case CHORUS_ESCHEMA:
        return "data folder was written by a newer Chorus";
    case CHORUS_EMAPFULL:
        return "storage map full";
    case CHORUS_ETOOBIG:
        return "too large";
    case CHORUS_ECORRUPT:
        return "stored record is corrupt";
    case CHORUS_EBUSY:
        return "busy, try again";
    case CHORUS_ESTOP:
        return "stopped";
    case CHORUS_EPARSE:
        return "malformed document";
    case CHORUS_ELIMIT:
        return "limit reached";
    case CHORUS_ENOSPC:
        return "the disk holding the store is full";
    default:
        return "unknown error";
    }
}
