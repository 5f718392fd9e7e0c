// jemalloc's start-up options for the services (compiled into each program
// that links relmon_allocator; jemalloc reads this symbol before main).
//
// Why these: freed pages go back to the system within about a second
// (dirty_decay_ms) on jemalloc's own background thread, so RSS follows the
// working set instead of the peak of the largest batch (a catch-up group of
// log events, a burst of large articles), and without the service calling
// malloc_trim. Overridable at run time with MALLOC_CONF.
#if defined(RELMON_JEMALLOC)
extern "C" {
// NOLINTNEXTLINE: the name is jemalloc's.
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
#endif
