package dev.ferry.rdb;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The bytes an {@link RdbReader} reads: a stream (a file, a replica socket) through a buffer, or an array (a
 * DUMP payload, a file already in memory). Knows its offset and, when the source's size is known, the bytes
 * left, so that every claimed length can be checked before anything is allocated. Keeps the CRC64 of the
 * bytes consumed, computed over the buffer in bulk as it is refilled.
 *
 * <p>Running out of bytes is an {@link RdbFormatException} naming the offset (and the key being read, which
 * the reader sets), never an EOFException.
 */
final class RdbInput {
    private static final int BUFFER = 1 << 16;
    /** Past this size a string of a stream of unknown length is read in growing steps, not allocated at once. */
    private static final int TRUSTED_ALLOCATION = 1 << 20;

    private final InputStream in;
    private byte[] buf;
    private int pos;
    private int lim;
    /** Offset in the source of buf[0]. */
    private long base;
    /** Size of the source, -1 when unknown. */
    private final long total;
    private long crc;
    /** Bytes of buf already fed to the CRC. */
    private int crcPos;
    /** The key being read, for error messages; null outside keys. */
    byte[] key;

    private RdbInput(InputStream in, byte[] buf, int off, int len, long total) {
        this.in = in;
        this.buf = buf;
        this.pos = off;
        this.crcPos = off;
        this.lim = off + len;
        this.base = -off;
        this.total = total;
    }

    /** A stream of {@code total} bytes, or of unknown size when total is -1. */
    static RdbInput of(InputStream in, long total) {
        return new RdbInput(in, new byte[BUFFER], 0, 0, total);
    }

    /** {@code len} bytes of an array, read in place. */
    static RdbInput of(byte[] b, int off, int len) {
        return new RdbInput(null, b, off, len, len);
    }

    /** Offset of the next byte from the start of the source. */
    long position() {
        return base + pos;
    }

    /** Size of the source, -1 when unknown. */
    long total() {
        return total;
    }

    /** Bytes left in the source; Long.MAX_VALUE when its size is unknown. */
    long remaining() {
        return total < 0 ? Long.MAX_VALUE : total - position();
    }

    /** Off when nobody will compare the CRC: the reader then skips computing it. */
    boolean crcOn = true;

    /** The CRC64 of every byte consumed so far (0 when {@link #crcOn} is off). */
    long crc() {
        if (crcOn && crcPos < pos) {
            crc = Crc64.update(crc, buf, crcPos, pos - crcPos);
            crcPos = pos;
        }
        return crc;
    }

    RdbFormatException error(String reason) {
        return new RdbFormatException(reason, position(), key);
    }

    RdbFormatException error(String reason, long offset) {
        return new RdbFormatException(reason, offset, key);
    }

    private RdbFormatException truncated() {
        return error("Unexpected end of RDB data");
    }

    /** The next byte without consuming it. */
    int peekByte() throws IOException {
        if (pos == lim && !fill(1)) throw truncated();
        return buf[pos] & 0xFF;
    }

    int readByte() throws IOException {
        if (pos == lim && !fill(1)) throw truncated();
        return buf[pos++] & 0xFF;
    }

    /** n (at most 8) bytes as a little-endian unsigned number. */
    long readLe(int n) throws IOException {
        if (lim - pos < n && !fill(n)) throw truncated();
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = v << 8 | (buf[pos + i] & 0xFF);
        pos += n;
        return v;
    }

    /** n (at most 8) bytes as a big-endian unsigned number. */
    long readBe(int n) throws IOException {
        if (lim - pos < n && !fill(n)) throw truncated();
        long v = 0;
        for (int i = 0; i < n; i++) v = v << 8 | (buf[pos + i] & 0xFF);
        pos += n;
        return v;
    }

    void readFully(byte[] dst, int off, int len) throws IOException {
        int have = Math.min(lim - pos, len);
        System.arraycopy(buf, pos, dst, off, have);
        pos += have;
        off += have;
        len -= have;
        if (len == 0) return;
        if (in == null) throw truncated();
        if (len < buf.length / 2) {
            if (!fill(len)) throw truncated();
            System.arraycopy(buf, pos, dst, off, len);
            pos += len;
            return;
        }
        // big: straight from the stream into dst, CRC'd there
        crc();
        while (len > 0) {
            int n = in.read(dst, off, len);
            if (n < 0) throw truncated();
            if (crcOn) crc = Crc64.update(crc, dst, off, n);
            base += n;
            off += n;
            len -= n;
        }
    }

    /**
     * A new array of exactly n bytes read from the source. n is checked against the bytes left when the size
     * is known; when it is not, a big n is read in growing steps so that a false length costs at most twice
     * the bytes actually there.
     */
    byte[] readBytes(long n, String what) throws IOException {
        if (n < 0 || n > Integer.MAX_VALUE - 8) throw error(what + " of " + Long.toUnsignedString(n) + " bytes is too long");
        if (n > remaining()) throw error(what + " of " + n + " bytes exceeds the " + remaining() + " bytes left");
        int len = (int) n;
        if (total >= 0 || len <= TRUSTED_ALLOCATION) {
            byte[] out = new byte[len];
            readFully(out, 0, len);
            return out;
        }
        byte[] out = new byte[TRUSTED_ALLOCATION];
        int got = 0;
        while (got < len) {
            if (got == out.length) out = Arrays.copyOf(out, (int) Math.min(len, (long) out.length * 2));
            int step = Math.min(out.length, len) - got;
            readFully(out, got, step);
            got += step;
        }
        return out;
    }

    void skip(long n) throws IOException {
        if (n > remaining()) throw error("Skipping " + n + " bytes past the end");
        while (n > 0) {
            if (pos == lim && !fill(1)) throw truncated();
            int step = (int) Math.min(n, lim - pos);
            pos += step;
            n -= step;
        }
    }

    /** True when no byte is left (a stream of unknown size is asked). */
    boolean atEnd() throws IOException {
        return pos == lim && !fill(1);
    }

    /** Makes at least n bytes available in buf (n at most its size); false at the end of the source. */
    private boolean fill(int n) throws IOException {
        if (in == null) return lim - pos >= n;
        crc();
        if (pos > 0) {
            int rest = lim - pos;
            System.arraycopy(buf, pos, buf, 0, rest);
            base += pos;
            lim = rest;
            pos = 0;
            crcPos = 0;
        }
        if (n > buf.length) buf = Arrays.copyOf(buf, n);
        while (lim < n) {
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) return false;
            lim += r;
        }
        return true;
    }
}
