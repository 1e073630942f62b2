/* Writes 1 MB files into its working directory, at most 200 of them (bounded, so a
 * broken limit costs 200 MB, not the disk).  Exit 0 if the disk budget stopped it, 3 if
 * it wrote everything. */
#include <stdio.h>

int main(void)
{
    static char buf[1 << 20];
    int files = 0;
    for (int i = 0; i < 200; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%d", i);
        FILE *f = fopen(name, "w");
        if (!f)
            break;
        size_t n = fwrite(buf, 1, sizeof buf, f);
        if (fclose(f) != 0 || n != sizeof buf)
            break;
        files++;
    }
    printf("wrote %d MB\n", files);
    return files < 200 ? 0 : 3;
}
