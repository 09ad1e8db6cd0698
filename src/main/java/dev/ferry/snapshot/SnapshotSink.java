package dev.ferry.snapshot;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where a snapshot's RDB bytes go. A file in {@code dir} is the first; a replica's socket and an S3 upload
 * are the next, fed by the same capture and the same encoder. Every method runs on the snapshot's writer
 * thread, never on the executing loop.
 */
public interface SnapshotSink {
    /** The stream the RDB bytes are written to; called once, before any byte. */
    OutputStream open() throws IOException;

    /** All bytes are written and flushed: make them durable and visible (a file: fsync, rename, fsync dir). */
    void commit() throws IOException;

    /** The snapshot failed: drop what was written, leaving any previous snapshot as it was. */
    void abort();

    /** For log lines: where the bytes go. */
    String describe();
}
