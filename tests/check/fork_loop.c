/* Forks at most 200 children that sleep forever (bounded here, so a broken process
 * limit cannot take the machine down).  Exit 0 if the limit stopped it, 3 if not. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    int ok = 0;
    for (int i = 0; i < 200; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            setsid(); /* try to escape the process group too */
            for (;;)
                pause();
        }
        if (pid > 0)
            ok++;
    }
    printf("forked %d of 200\n", ok);
    return ok < 200 ? 0 : 3;
}
