package dev.ferry.archive;

/**
 * The bytes of one transfer moved so far, handed to its {@link ArchiveStore.Progress}. Parts of a multipart transfer
 * move at once on several SDK threads and a failed part is sent again from its start, so each part reports the
 * furthest it got ({@link Part}) and only bytes past that count: the total never counts a byte twice and never goes
 * back. Reports are serialized so the callback sees a growing count; it runs on the SDK's threads, so it must be
 * cheap (a counter, a gauge), never blocking.
 */
final class TransferCounter {
    private final ArchiveStore.Progress progress;
    private final long total;
    private long done;

    TransferCounter(ArchiveStore.Progress progress, long total) {
        this.progress = progress;
        this.total = total;
    }

    /** One stream of bytes that may be sent (or received) more than once: a part, or a whole small object. */
    Part part() {
        return new Part();
    }

    private synchronized void add(long bytes) {
        done += bytes;
        progress.transferred(done, total);
    }

    final class Part {
        private long furthest;
        private long attempt;

        /** A new attempt starts from the part's first byte. */
        synchronized void restart() {
            attempt = 0;
        }

        synchronized void moved(long bytes) {
            attempt += bytes;
            if (attempt > furthest) {
                long fresh = attempt - furthest;
                furthest = attempt;
                add(fresh);
            }
        }
    }
}
