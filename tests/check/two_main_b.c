/* The other file that defines main. */
int main(void) { return 1; }
