/* Files: what more than one module needs to make a write durable. */
#include "chorus/base.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int chorus_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0, saved = 0;

    if (fd < 0)
        return CHORUS_EIO;
    if (fsync(fd) != 0) {
        saved = errno;
        rc = CHORUS_EIO;
    }
    close(fd);
    /* The caller's message names the cause of the fsync, not close's. */
    if (saved)
        errno = saved;
    return rc;
}
