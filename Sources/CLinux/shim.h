// Linux interfaces that the toolchain's Glibc module does not expose.
#include <sys/signalfd.h>
#include <sys/inotify.h>
#include <signal.h>
