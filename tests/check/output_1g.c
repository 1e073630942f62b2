/* Prints 1 GB: racedemo keeps a little, drains the rest, and does not block the program. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    static char line[1 << 20];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    for (int i = 0; i < 1024; i++)
        fwrite(line, 1, sizeof line, stdout);
    return 0;
}
