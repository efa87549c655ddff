//! Giving memory back to the operating system.
//!
//! A watch's first sync decodes every object of a list (at 100,000 pods, hundreds of MB of JSON and
//! typed objects) only to keep a compact row of each; glibc's allocator keeps the freed pages, so the
//! process would hold them for as long as it runs. Trimming once the sync is done returns them.

/// Allocator arenas the dashboard runs with (glibc's default is 8 per core): each thread that
/// allocates under contention gets an arena of its own, and the free pages of each are kept apart,
/// so that the memory one thread freed is not reused by another.
pub const ARENAS: i32 = 2;

/// Objects a first sync must have brought for its decoding memory to be worth returning.
pub const TRIM_AFTER_OBJECTS: usize = 2_000;

/// Return the allocator's free memory to the operating system (glibc: `malloc_trim`, which releases
/// free pages in the middle of the heap too); a no-op elsewhere.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory the allocator holds; it takes its own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// [`give_back`] on the runtime's blocking pool when there is one (a trim of a large heap takes
/// milliseconds the event loop should not wait for), else at once.
pub fn give_back_soon() {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => drop(rt.spawn_blocking(give_back)),
        Err(_) => give_back(),
    }
}

/// Drop `value` on the runtime's blocking pool when there is one, else at once: for what takes
/// milliseconds to free (a metrics sample of 100,000 pods is ~300,000 allocations) that the event
/// loop should not wait for.
pub fn drop_soon<T: Send + 'static>(value: T) {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => drop(rt.spawn_blocking(move || drop(value))),
        Err(_) => drop(value),
    }
}

/// Cap glibc's allocator at [`ARENAS`] arenas, unless `MALLOC_ARENA_MAX` says otherwise (glibc reads
/// it itself); call before the runtime's threads start. A no-op elsewhere.
pub fn few_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; arenas are created later, on demand.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, ARENAS);
        }
    }
}
