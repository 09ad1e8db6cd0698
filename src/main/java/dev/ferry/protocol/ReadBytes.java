package dev.ferry.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The bytes of one read, copied out of Netty's buffer in one bulk copy, so that parsing is plain array
 * indexing (no bounds and reference-count checks per byte, as ByteBuf accessors do). One per thread:
 * only the executing event loop parses.
 */
final class ReadBytes {
    byte[] a = new byte[16 * 1024];
    int r, w;
    boolean busy;

    void load(ByteBuf in, int n) {
        if (a.length < n) a = new byte[Math.max(n, a.length * 2)];
        in.getBytes(in.readerIndex(), a, 0, n);
        r = 0;
        w = n;
        busy = true;
    }

    boolean isReadable() {
        return r < w;
    }

    int readableBytes() {
        return w - r;
    }

    int readerIndex() {
        return r;
    }

    int writerIndex() {
        return w;
    }

    byte getByte(int i) {
        return a[i];
    }

    void readBytes(byte[] dst) {
        System.arraycopy(a, r, dst, 0, dst.length);
        r += dst.length;
    }

    void readBytes(byte[] dst, int off, int n) {
        System.arraycopy(a, r, dst, off, n);
        r += n;
    }

    void skipBytes(int n) {
        r += n;
    }

    /** Index of the first {@code b} or NUL byte in [from, to), or -1 (Redis's strchr stops at NUL). */
    int indexOfOrNul(int from, int to, byte b) {
        byte[] x = a;
        for (int i = from; i < to; i++) {
            byte c = x[i];
            if (c == b || c == 0) return i;
        }
        return -1;
    }
}
