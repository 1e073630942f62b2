/* Does not compile: the compiler's message must reach the student. */
int main(void)
{
    int x = 1
    return x;
}
