package dev.ferry.snapshot;

import java.io.OutputStream;

/**
 * A snapshot sink's stream for tests that need a slow writer: hands every write to a consumer (bytes, length) and
 * sleeps sleepMillis after each everyBytes written.
 */
final class SleepyOutput extends OutputStream {
    private final int everyBytes;
    private final long sleepMillis;
    private final Sink to;
    private long sinceSleep;

    /** Where the bytes go. */
    interface Sink {
        void write(byte[] b, int off, int len);
    }

    SleepyOutput(int everyBytes, long sleepMillis, Sink to) {
        this.everyBytes = everyBytes;
        this.sleepMillis = sleepMillis;
        this.to = to;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        to.write(b, off, len);
        sinceSleep += len;
        if (sinceSleep >= everyBytes) {
            sinceSleep = 0;
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
