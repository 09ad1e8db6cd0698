package dev.ferry.protocol;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Resumable RESP2 request parser (multibulk and inline), one per connection.
 *
 * <p>All state lives in a few fields, so a frame split across reads continues where it stopped: a
 * partial header line is kept in {@link #line}, a partial bulk argument is copied straight into its final
 * byte[] as bytes arrive. Nothing is ever re-parsed, so a huge pipeline or a 512 MB argument costs linear
 * time. Arguments are byte[]; no String is made on this path.
 *
 * <p>Limits and error words follow Redis's processMultibulkBuffer / processInlineBuffer (networking.c).
 */
public final class RespParser {

    /** Receives each complete command. Returning false stops parsing (the rest waits for the next feed). */
    public interface Sink {
        boolean onCommand(byte[][] argv);

        /** True while the connection still needs AUTH: Redis then refuses large frames from it. */
        default boolean authRequired() {
            return false;
        }
    }

    public enum Result { NEED_MORE, STOPPED, ERROR, QUERY_BUFFER_LIMIT }

    /** Redis's PROTO_INLINE_MAX_SIZE: the longest inline command or header line. */
    static final int INLINE_MAX = 64 * 1024;
    /** Bulk arguments up to this size get their final array at once; bigger ones grow as data arrives. */
    private static final int PREALLOCATE_MAX = 1 << 20;

    private static final int IDLE = 0, MULTIBULK = 1, BULK_DATA = 2, INLINE = 3;

    /** Limits read at each use, so that CONFIG SET applies to connections already open. */
    public interface Limits {
        long maxBulkLen();

        long queryBufferLimit();
    }

    private final Limits limits;

    private int state = IDLE;
    private byte[] line = new byte[64];
    private int lineLen;
    private byte[][] argv;
    private int argc;
    private int argvExpected;
    private byte[] bulk;
    private int bulkLen;
    private int bulkPos;
    /** CR LF bytes still to skip after the current bulk's data. */
    private int bulkTrailer;
    private String error;

    public RespParser(Limits limits) {
        this.limits = limits;
    }

    /** The protocol error of the last ERROR result, without the "ERR " prefix. */
    public String error() {
        return error;
    }

    /** Bytes held for a command not complete yet (the "qbuf" of CLIENT LIST). */
    public long pendingBytes() {
        return lineLen + (state == BULK_DATA ? bulkPos : 0);
    }

    /** True when no partial command is buffered. */
    public boolean idle() {
        return state == IDLE && lineLen == 0;
    }

    /**
     * Parses as many commands from {@code in} as it holds, handing each to the sink. Consumes what it
     * parsed; on STOPPED the unread bytes stay in {@code in} for a later call.
     */
    public Result feed(ByteBuf in, Sink sink) {
        Input input = INPUT.get();
        if (input.busy) input = new Input(); // a feed inside a feed on the same thread (never on the hot path)
        int n = in.readableBytes();
        input.load(in, n);
        try {
            return feed(input, sink);
        } finally {
            in.skipBytes(input.r);
            input.busy = false;
        }
    }

    /**
     * The bytes of one read, copied out of Netty's buffer in one bulk copy, so that parsing is plain array
     * indexing (no bounds and reference-count checks per byte, as ByteBuf accessors do). One per thread:
     * only the executing event loop parses.
     */
    static final class Input {
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

        int indexOf(int from, int to, byte b) {
            byte[] x = a;
            for (int i = from; i < to; i++) if (x[i] == b) return i;
            return -1;
        }
    }

    private static final ThreadLocal<Input> INPUT = ThreadLocal.withInitial(Input::new);

    private Result feed(Input in, Sink sink) {
        while (in.isReadable()) {
            switch (state) {
                case IDLE -> {
                    if (lineLen == 0 && in.getByte(in.readerIndex()) != '*') {
                        state = INLINE;
                        continue;
                    }
                    long n = lineLen == 0 ? quickNumber(in) : NEED_LINE;
                    if (n == NEED_LINE) {
                        if (!readLine(in)) return pendingTooBig() ? fail("too big mbulk count string") : Result.NEED_MORE;
                        n = parseNumber(1);
                    }
                    if (n == BAD || n > Integer.MAX_VALUE) return fail("invalid multibulk length");
                    if (n > 10 && sink.authRequired()) return fail("unauthenticated multibulk length");
                    if (n <= 0) continue; // "*0" and "*-1" are skipped, as Redis does
                    // the array grows as arguments arrive, so a lying count allocates nothing up front
                    argv = new byte[(int) Math.min(n, 1024)][];
                    argc = 0;
                    argvExpected = (int) n;
                    state = MULTIBULK;
                }
                case MULTIBULK -> {
                    if (lineLen == 0 && in.getByte(in.readerIndex()) != '$') {
                        return fail("expected '$', got '" + (char) (in.getByte(in.readerIndex()) & 0xff) + "'");
                    }
                    long len = lineLen == 0 ? quickNumber(in) : NEED_LINE;
                    if (len == NEED_LINE) {
                        if (!readLine(in)) return pendingTooBig() ? fail("too big bulk count string") : Result.NEED_MORE;
                        if (line[0] != '$') return fail("expected '$', got '" + (char) (line[0] & 0xff) + "'");
                        len = parseNumber(1);
                    }
                    if (len == BAD || len < 0 || len > limits.maxBulkLen() || len > Integer.MAX_VALUE - 8) {
                        return fail("invalid bulk length");
                    }
                    if (len > 16384 && sink.authRequired()) return fail("unauthenticated bulk length");
                    bulkLen = (int) len;
                    bulkPos = 0;
                    bulkTrailer = 2;
                    int readable = in.readableBytes();
                    if (readable >= bulkLen + 2) {
                        // fast path: the whole argument is here
                        byte[] arg = new byte[bulkLen];
                        in.readBytes(arg);
                        in.skipBytes(2);
                        bulkTrailer = 0;
                        if (addArg(arg, sink)) return Result.STOPPED;
                    } else {
                        if (len > limits.queryBufferLimit()) return Result.QUERY_BUFFER_LIMIT;
                        bulk = new byte[Math.min(bulkLen, PREALLOCATE_MAX)];
                        state = BULK_DATA;
                    }
                }
                case BULK_DATA -> {
                    int want = bulkLen - bulkPos;
                    if (want > 0) {
                        int n = Math.min(want, in.readableBytes());
                        if (bulkPos + n > bulk.length) {
                            bulk = Arrays.copyOf(bulk, (int) Math.min((long) bulkLen, Math.max(bulk.length * 2L, bulkPos + n)));
                        }
                        in.readBytes(bulk, bulkPos, n);
                        bulkPos += n;
                        if (bulkPos < bulkLen) return Result.NEED_MORE;
                    }
                    while (bulkTrailer > 0 && in.isReadable()) {
                        in.skipBytes(1);
                        bulkTrailer--;
                    }
                    if (bulkTrailer > 0) return Result.NEED_MORE;
                    byte[] arg = bulk;
                    bulk = null;
                    state = MULTIBULK;
                    if (addArg(arg, sink)) return Result.STOPPED;
                }
                case INLINE -> {
                    int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
                    if (lf < 0) {
                        if (lineLen + in.readableBytes() > INLINE_MAX) return fail("too big inline request");
                        appendLine(in, in.readableBytes());
                        return Result.NEED_MORE;
                    }
                    int n = lf - in.readerIndex();
                    if (lineLen + n > INLINE_MAX) return fail("too big inline request");
                    appendLine(in, n);
                    in.skipBytes(1);
                    int end = lineLen;
                    if (end > 0 && line[end - 1] == '\r') end--;
                    List<byte[]> args = InlineSplitter.split(line, 0, end);
                    lineLen = 0;
                    state = IDLE;
                    if (args == null) return fail("unbalanced quotes in request");
                    if (args.isEmpty()) continue;
                    if (!sink.onCommand(args.toArray(new byte[0][]))) return Result.STOPPED;
                }
                default -> throw new IllegalStateException("parser state " + state);
            }
        }
        return Result.NEED_MORE;
    }

    /** Adds a finished argument; returns true when the sink asked to stop. */
    private boolean addArg(byte[] arg, Sink sink) {
        if (argc == argv.length) argv = Arrays.copyOf(argv, Math.min(argvExpected, argv.length * 2));
        argv[argc++] = arg;
        if (argc < argvExpected) return false;
        byte[][] cmd = argv;
        argv = null;
        state = IDLE;
        return !sink.onCommand(cmd);
    }

    private boolean pendingTooBig() {
        return lineLen > INLINE_MAX;
    }

    /**
     * Reads a header line up to LF into {@link #line} (without CR LF). Returns false and keeps what it saw
     * when the line is not complete yet.
     */
    private boolean readLine(Input in) {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            appendLine(in, in.readableBytes());
            return false;
        }
        appendLine(in, lf - in.readerIndex());
        in.skipBytes(1);
        return true;
    }

    private void appendLine(Input in, int n) {
        if (lineLen + n > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, lineLen + n));
        in.readBytes(line, lineLen, n);
        lineLen += n;
    }

    private static final long BAD = Long.MIN_VALUE;
    private static final long NEED_LINE = Long.MIN_VALUE + 1;

    /**
     * Fast path for a header ("*3\r\n", "$5\r\n") that lies whole in the input: parses the digits in
     * place. Returns NEED_LINE (nothing consumed) for anything unusual, which then takes the general path.
     */
    private static long quickNumber(Input in) {
        byte[] a = in.a;
        int p = in.r + 1, end = in.w;
        long v = 0;
        int digits = 0;
        while (p < end) {
            int c = a[p];
            if (c >= '0' && c <= '9') {
                if (++digits > 18) return NEED_LINE;
                v = v * 10 + (c - '0');
                p++;
            } else if (c == '\r' && p + 1 < end && a[p + 1] == '\n' && digits > 0) {
                // leading zeros are not canonical: let the general path reject them
                if (digits > 1 && a[in.r + 1] == '0') return NEED_LINE;
                in.r = p + 2;
                return v;
            } else {
                return NEED_LINE;
            }
        }
        return NEED_LINE;
    }

    /** Parses line[from, CR) as a canonical integer; the line must end in CR. Resets the line buffer. */
    private long parseNumber(int from) {
        int len = lineLen;
        lineLen = 0;
        if (len < 2 || line[len - 1] != '\r') return BAD;
        return Ascii.parseLongOr(line, from, len - 1 - from, BAD);
    }

    private Result fail(String message) {
        error = "Protocol error: " + message;
        return Result.ERROR;
    }

    /** Splits an inline command line like Redis's sdssplitargs: quotes, escapes, whitespace. */
    static final class InlineSplitter {
        private InlineSplitter() {}

        /** Returns null on unbalanced quotes. */
        static List<byte[]> split(byte[] s, int off, int end) {
            List<byte[]> out = new ArrayList<>();
            int p = off;
            byte[] cur = new byte[Math.max(16, end - off)];
            while (true) {
                while (p < end && isSpace(s[p])) p++;
                if (p >= end) return out;
                int n = 0;
                boolean inDq = false, inSq = false, done = false;
                while (!done) {
                    if (inDq) {
                        if (p >= end) return null;
                        if (s[p] == '\\' && p + 3 < end && s[p + 1] == 'x' && isHex(s[p + 2]) && isHex(s[p + 3])) {
                            cur[n++] = (byte) (hex(s[p + 2]) * 16 + hex(s[p + 3]));
                            p += 3;
                        } else if (s[p] == '\\' && p + 1 < end) {
                            p++;
                            byte c = switch (s[p]) {
                                case 'n' -> '\n';
                                case 'r' -> '\r';
                                case 't' -> '\t';
                                case 'b' -> '\b';
                                case 'a' -> 7;
                                default -> s[p];
                            };
                            cur[n++] = c;
                        } else if (s[p] == '"') {
                            // a closing quote must be followed by a space or the end
                            if (p + 1 < end && !isSpace(s[p + 1])) return null;
                            done = true;
                        } else {
                            cur[n++] = s[p];
                        }
                    } else if (inSq) {
                        if (p >= end) return null;
                        if (s[p] == '\\' && p + 1 < end && s[p + 1] == '\'') {
                            p++;
                            cur[n++] = '\'';
                        } else if (s[p] == '\'') {
                            if (p + 1 < end && !isSpace(s[p + 1])) return null;
                            done = true;
                        } else {
                            cur[n++] = s[p];
                        }
                    } else {
                        if (p >= end) {
                            done = true;
                            continue;
                        }
                        switch (s[p]) {
                            case ' ', '\n', '\r', '\t', 0 -> done = true;
                            case '"' -> inDq = true;
                            case '\'' -> inSq = true;
                            default -> cur[n++] = s[p];
                        }
                    }
                    if (p < end) p++;
                }
                out.add(Arrays.copyOf(cur, n));
            }
        }

        private static boolean isSpace(byte b) {
            return b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == 0x0b || b == '\f';
        }

        private static boolean isHex(byte b) {
            return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
        }

        private static int hex(byte b) {
            if (b >= '0' && b <= '9') return b - '0';
            if (b >= 'a' && b <= 'f') return b - 'a' + 10;
            return b - 'A' + 10;
        }
    }
}
