/* The demo tour: `make demo` runs every chapter in order, or
 * `tour NAME...` runs the named ones.  Each chapter is also a standalone
 * example program in this folder. */
#include <string.h>

#include "tour.h"

#define CHAPTER(name) int example_##name(void);
#include "chapters.def"
#undef CHAPTER

typedef struct chapter {
    const char *name;
    int (*run)(void);
} chapter;

static const chapter chapters[] = {
#define CHAPTER(name) {#name, example_##name},
#include "chapters.def"
#undef CHAPTER
};

int main(int argc, char **argv) {
    int n = (int)(sizeof chapters / sizeof chapters[0]), failed = 0;
    for (int c = 0; c < n; c++) {
        int wanted = argc < 2;
        for (int a = 1; a < argc; a++) wanted |= !strcmp(argv[a], chapters[c].name);
        if (!wanted) continue;
        printf("\n=== %s ===\n", chapters[c].name);
        fflush(stdout);
        int rc = chapters[c].run();
        printf("--- %s: %s\n", chapters[c].name, rc ? "FAILED" : "ok");
        failed += rc != 0;
    }
    printf("\ntour: %d chapter(s) failed\n", failed);
    return failed != 0;
}
