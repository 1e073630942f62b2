/* A Go mutex is not owned by a goroutine: main locks it, hands the job to a worker which
 * writes the result and unlocks; main's second Lock happens after that Unlock. */
#include <goroutine.h>
#include <stdio.h>

static int result;
static mutex_t mu;

static void worker(void *arg)
{
    (void)arg;
    result = 64;
    mutex_unlock(&mu);
}

int main(void)
{
    mutex_lock(&mu);
    go(worker, NULL);
    mutex_lock(&mu); /* blocks until the worker unlocks */
    int seen = result;
    mutex_unlock(&mu);
    return seen == 64 ? 0 : 1;
}
