/* Never ends: the wall-clock limit must stop it. */
int main(void)
{
    volatile unsigned long n = 0;
    for (;;)
        n++;
}
