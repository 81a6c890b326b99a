/* Output files of the writers: see out_file.h. */
#include "out_file.h"

#include <sys/stat.h>

FILE *sf_out_open(const char *path, const char *mode, bool *regular) {
    FILE *fp = fopen(path, mode);
    struct stat sb;
    *regular = fp && fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode);
    return fp;
}

void sf_out_discard(const char *path, bool regular) {
    if (regular) remove(path);
}
