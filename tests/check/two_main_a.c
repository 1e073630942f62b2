/* One of two files that both define main. */
int main(void) { return 0; }
