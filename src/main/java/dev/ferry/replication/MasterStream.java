package dev.ferry.replication;

import dev.ferry.protocol.PipelineKeys;

import java.util.Arrays;

/**
 * The bytes a master sends after the handshake, cut into commands with their exact byte extent, because a
 * replica counts its offset in bytes of whole commands applied and relays exactly those bytes to its own
 * replicas and backlog (Redis's reploff and repl_applied). The stream is RESP multibulk only (what a master
 * writes); anything else is a protocol error that ends the link. Sizes are bounded before anything is
 * allocated: a hostile "master" cannot make the replica reserve memory it did not send.
 */
final class MasterStream {
    /** Redis's limits for a multibulk's count and a bulk's length as a master client sends them. */
    static final int MAX_ARGS = 1024 * 1024;

    private final long maxBulk;
    private byte[] buf = new byte[16 * 1024];
    /** Unconsumed bytes are buf[start, end). */
    private int start, end;
    /** Bytes of the command returned by the last {@link #next}. */
    private int lastLength;
    private String error;

    MasterStream(long maxBulk) {
        this.maxBulk = maxBulk;
    }

    void append(byte[] b, int off, int len) {
        if (end + len > buf.length) {
            int live = end - start;
            if (live + len <= buf.length / 2) {
                System.arraycopy(buf, start, buf, 0, live);
            } else {
                byte[] bigger = new byte[(int) Math.min(Integer.MAX_VALUE - 16, Math.max((long) buf.length * 2, (long) live + len))];
                System.arraycopy(buf, start, bigger, 0, live);
                buf = bigger;
            }
            start = 0;
            end = live;
        }
        System.arraycopy(b, off, buf, end, len);
        end += len;
    }

    /** Bytes received and not yet returned as a command. */
    int pending() {
        return end - start;
    }

    /** The unconsumed bytes (they go to a temp file, or wait, when the snapshot is read from the same socket). */
    byte[] take(int max) {
        int n = Math.min(max, end - start);
        byte[] out = Arrays.copyOfRange(buf, start, start + n);
        start += n;
        return out;
    }

    /** The buffer and the range of the last command returned, for relaying it verbatim. */
    byte[] buffer() {
        return buf;
    }

    int lastStart() {
        return start - lastLength;
    }

    int lastLength() {
        return lastLength;
    }

    /** The extent of the first key of each of the next whole commands, as {@link PipelineKeys#firstKeys}. */
    int firstKeys(int[] offs, int[] lens) {
        return PipelineKeys.firstKeys(buf, start, end, offs, lens);
    }

    String error() {
        return error;
    }

    /** Reads one line (without its CR LF or LF) when a whole one is here; null otherwise. Bounded at 64 KB. */
    String line() {
        for (int i = start; i < end; i++) {
            if (buf[i] == '\n') {
                int stop = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                String s = new String(buf, start, stop - start, java.nio.charset.StandardCharsets.ISO_8859_1);
                start = i + 1;
                return s;
            }
        }
        if (end - start > 64 * 1024) error = "line too long from master";
        return null;
    }

    /** The next complete command as its arguments, or null when it is not all here yet (or on an error, see {@link #error}). */
    byte[][] next() {
        int p = start;
        if (p >= end) return null;
        if (buf[p] != '*') {
            error = "expected '*', got byte " + (buf[p] & 0xff) + " from master";
            return null;
        }
        long[] n = new long[1];
        p = number(p + 1, n);
        if (p < 0) return null;
        if (n[0] < 0 || n[0] > MAX_ARGS) {
            error = "invalid multibulk count " + n[0] + " from master";
            return null;
        }
        int count = (int) n[0];
        // first pass: is the whole command here? (no allocation until it is)
        int q = p;
        for (int i = 0; i < count; i++) {
            if (q >= end) return null;
            if (buf[q] != '$') {
                error = "expected '$', got byte " + (buf[q] & 0xff) + " from master";
                return null;
            }
            q = number(q + 1, n);
            if (q < 0) return null;
            if (n[0] < 0 || n[0] > maxBulk) {
                error = "invalid bulk length " + n[0] + " from master";
                return null;
            }
            if ((long) q + n[0] + 2 > end) return null;
            q += (int) n[0] + 2;
        }
        byte[][] argv = new byte[count][];
        q = p;
        for (int i = 0; i < count; i++) {
            q = number(q + 1, n);
            argv[i] = Arrays.copyOfRange(buf, q, q + (int) n[0]);
            q += (int) n[0] + 2;
        }
        lastLength = q - start;
        start = q;
        return argv;
    }

    /** Parses digits up to CR LF from p; returns the position after the LF, or -1 when incomplete or bad. */
    private int number(int p, long[] out) {
        long v = 0;
        boolean neg = false;
        int digits = 0;
        for (int i = p; i < end; i++) {
            byte b = buf[i];
            if (b == '\r') {
                if (i + 1 >= end) return -1;
                if (buf[i + 1] != '\n' || digits == 0) {
                    error = "bad number line from master";
                    return -1;
                }
                out[0] = neg ? -v : v;
                return i + 2;
            }
            if (b == '-' && i == p) {
                neg = true;
                continue;
            }
            if (b < '0' || b > '9' || digits > 18) {
                error = "bad number line from master";
                return -1;
            }
            v = v * 10 + (b - '0');
            digits++;
        }
        return -1;
    }
}
