/* The tutorial's mmap-read (shared/seeds/001), as published: prints the
 * integer in a memory-mapped file and doubles it.  Used to test that the
 * files mmapint writes are what the tutorial's programs expect. */
#include <stdlib.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define FILE_LENGTH 0x100

int main (int argc, char* const argv[])
{
    int fd;
    void* file_memory;
    int integer;
    (void)argc;

    /* Open the file. */
    fd = open (argv[1], O_RDWR, S_IRUSR | S_IWUSR);
    /* Create the memory-mapping. */
    file_memory = mmap (0, FILE_LENGTH, PROT_READ | PROT_WRITE,
                       MAP_SHARED, fd, 0);
    close (fd);

    /* Read the integer, print it out, and double it. */
    if (sscanf (file_memory, "%d", &integer) != 1) return 1;
    printf ("value: %d\n", integer);
    sprintf ((char*) file_memory, "%d\n", 2 * integer);
    /* Release the memory (unnecessary since the program exits). */
    munmap (file_memory, FILE_LENGTH);

    return 0;
}
