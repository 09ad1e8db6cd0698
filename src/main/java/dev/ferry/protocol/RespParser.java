package dev.ferry.protocol;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Resumable RESP2 request parser (multibulk and inline), one per connection.
 *
 * <p>All state lives in a few fields, so a frame split across reads continues where it stopped: a
 * partial header line is kept in {@link #line}, a partial bulk argument is copied into its own byte[] as
 * bytes arrive. Nothing is ever re-parsed, so a huge pipeline or a 512 MB argument costs linear time.
 * Arguments are byte[]; no String is made on this path.
 *
 * <p>Memory follows what arrived, never what a header announced: a partial argument's array starts at
 * the size of the bytes received and grows with them (see {@link #newCapacity}), so a connection that
 * declares a 500 MB bulk and sends nothing costs nothing. Everything held for the command being
 * received (arguments already complete included) counts toward {@code client-query-buffer-limit}.
 *
 * <p>Framing, limits and error words follow Redis 7.0's processMultibulkBuffer / processInlineBuffer
 * (networking.c), including its quirks: a header ends at the first CR and the byte after it is skipped
 * whatever it is; a NUL byte before a line's end stalls that line for good, as Redis's strchr stops there.
 *
 * <p>If an allocation fails, the OutOfMemoryError propagates out of {@link #feed}, and the parser stays
 * consistent: the reader index of the input marks the first byte not consumed, and the state describes
 * exactly what was consumed before it, so feeding the rest later continues correctly.
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

    /**
     * GROW: the partial argument needs an array of at least {@link #OFFLOADED_GROWTH} bytes; nothing more
     * was consumed. The caller makes it off the executing thread with {@link #grown} (a new array is
     * zeroed and, on fresh memory, page-faulted: 512 MB took 1.8 s of one thread here), installs it with
     * {@link #installGrown} and feeds the rest.
     */
    public enum Result { NEED_MORE, STOPPED, ERROR, QUERY_BUFFER_LIMIT, GROW }

    /** Arrays at least this large are made by the caller off the executing thread (see GROW). */
    public static final int OFFLOADED_GROWTH = 4 * 1024 * 1024;

    /**
     * Slots of one piece of a command's argument vector: a command of more arguments keeps them in pieces
     * until it is complete, so a multibulk flood (millions of empty arguments that never complete) never
     * makes one huge array that must be zeroed and copied as it doubles. 4-8 MB a piece: quick to zero,
     * and large enough for G1 to place it as a humongous object, which young collections never copy
     * (64K-slot pieces were copied by them: 350 ms pauses during bench/attack.sh flood).
     */
    static final int ARGV_PIECE = 1024 * 1024;

    /** Redis's PROTO_INLINE_MAX_SIZE: the most bytes a line without its end may hold. */
    static final int INLINE_MAX = 64 * 1024;

    /**
     * What one argument costs beyond its bytes, counted toward the query buffer limit so that empty
     * arguments count too: the array's 16-byte header and padding, its reference in argv and argv's
     * growth slack. (Its protocol header, "$0\r\n\r\n", is 6 bytes; the JVM's cost is larger.)
     */
    static final int ARG_OVERHEAD = 32;

    /** First capacity of a partial argument's array, unless more than that has already arrived. */
    static final int MIN_BULK_CAPACITY = 256;

    /** Largest array the JVM reliably allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private static final byte[] EMPTY = new byte[0];

    /** Where the next byte goes. */
    private static final int
        IDLE = 0,        // at the start of a command: '*' opens a multibulk, anything else an inline line
        COUNT_LINE = 1,  // inside the "*<count>" line
        ARG_LINE = 2,    // at or inside a "$<len>" line
        BULK_DATA = 3,   // inside an argument's bytes or their trailing two bytes
        INLINE = 4,      // inside an inline command line
        STALLED = 5;     // a NUL came before the line's end: counted, dropped, an error past INLINE_MAX

    /** Limits read at each feed, so that CONFIG SET applies to connections already open. */
    public interface Limits {
        long maxBulkLen();

        long queryBufferLimit();
    }

    private final Limits limits;
    /** limits.queryBufferLimit() for the current feed. */
    private long queryBufferLimit;

    private int state = IDLE;
    /** The current header or inline line, without its end: made on first use, dropped after a long line. */
    private byte[] line = EMPTY;
    private int lineLen;
    /** A header's CR has been seen (not stored); the byte after it is still to be skipped. */
    private boolean lineCr;
    /** STALLED: bytes of the stalled line so far, and the error once they pass INLINE_MAX. */
    private long stalledBytes;
    private String stalledError;

    /** The current piece of the argument vector and the arguments in it. */
    private byte[][] argv;
    private int argc;
    /** Full pieces of ARGV_PIECE arguments before the current one, or null. */
    private List<byte[][]> argvPieces;
    private int piecedArgs;
    private int argvExpected;
    /** Sum of the lengths of the arguments already complete in argv. */
    private long argBytes;
    /** The partial argument: null until its first byte arrives. */
    private byte[] bulk;
    private int bulkLen;
    private int bulkPos;
    /** Bytes still to skip after the current bulk's data (Redis skips two, whatever they are). */
    private int bulkTrailer;
    /** After GROW: the capacity the partial argument's next array must have. */
    private int pendingCapacity;
    private String error;

    public RespParser(Limits limits) {
        this.limits = limits;
    }

    /** The protocol error of the last ERROR result, without the "ERR " prefix. */
    public String error() {
        return error;
    }

    /**
     * Bytes held for a command not complete yet (the "qbuf" of CLIENT LIST): the arguments already
     * complete, the received part of the current one and a partial header or inline line. A stalled
     * line's bytes are not held (they are counted only toward its error) and not reported.
     */
    public long pendingBytes() {
        return argBytes + bulkPos + lineLen + (lineCr ? 1 : 0);
    }

    /**
     * Bytes of the arrays this parser holds for the connection: its line buffer, the partial argument's
     * array at its capacity and the arguments already complete. Minus {@link #pendingBytes()} it is the
     * free room ("qbuf-free"); it is the input side of "tot-mem".
     */
    public long allocatedBytes() {
        return line.length + (bulk == null ? 0 : bulk.length) + argBytes;
    }

    /** True when no partial command is buffered. */
    public boolean idle() {
        return state == IDLE;
    }

    /**
     * Parses as many commands from {@code in} as it holds, handing each to the sink. Consumes what it
     * parsed; on STOPPED the unread bytes stay in {@code in} for a later call. An OutOfMemoryError
     * propagates with the reader index of {@code in} after the last byte consumed.
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

    private static final ThreadLocal<Input> INPUT = ThreadLocal.withInitial(Input::new);

    private Result feed(Input in, Sink sink) {
        queryBufferLimit = limits.queryBufferLimit();
        while (in.isReadable()) {
            switch (state) {
                case IDLE -> {
                    if (in.getByte(in.readerIndex()) != '*') {
                        state = INLINE;
                        continue;
                    }
                    long n = quickNumber(in);
                    if (n == NEED_LINE) {
                        state = COUNT_LINE;
                        continue;
                    }
                    Result r = startMultibulk(n, sink);
                    if (r != null) return r;
                }
                case COUNT_LINE -> {
                    if (!readHeader(in)) {
                        if (state == STALLED) continue;
                        return Result.NEED_MORE;
                    }
                    Result r = startMultibulk(lineNumber(), sink);
                    if (r != null) return r;
                }
                case ARG_LINE -> {
                    // argv has room before anything is consumed: if that allocation fails, nothing moved
                    if (argv == null) argv = new byte[Math.min(argvExpected, 16)][];
                    else if (argc == argv.length) {
                        if (argc == ARGV_PIECE) {
                            byte[][] next = new byte[Math.min(ARGV_PIECE, argvExpected - piecedArgs - argc)][];
                            if (argvPieces == null) argvPieces = new ArrayList<>();
                            argvPieces.add(argv);
                            piecedArgs += argc;
                            argv = next;
                            argc = 0;
                        } else {
                            argv = Arrays.copyOf(argv, (int) Math.min(Math.min(argvExpected, ARGV_PIECE), argv.length * 2L));
                        }
                    }
                    long len;
                    if (lineLen > 0 || lineCr || in.getByte(in.readerIndex()) != '$' || (len = quickNumber(in)) == NEED_LINE) {
                        if (!readHeader(in)) {
                            if (state == STALLED) continue;
                            return Result.NEED_MORE;
                        }
                        // lineLen 0: the line began with its CR, which is what Redis then prints
                        byte first = lineLen == 0 ? (byte) '\r' : line[0];
                        if (first != '$') {
                            lineLen = 0;
                            return fail("expected '$', got '" + (char) (first & 0xff) + "'");
                        }
                        len = lineNumber();
                    }
                    if (len < 0 || len > limits.maxBulkLen() || len > MAX_ARRAY) return fail("invalid bulk length");
                    if (len > 16384 && sink.authRequired()) return fail("unauthenticated bulk length");
                    bulkLen = (int) len;
                    bulkPos = 0;
                    bulkTrailer = 2;
                    if (in.readableBytes() >= bulkLen + 2) {
                        // fast path: the whole argument is here
                        byte[] arg;
                        try {
                            arg = bulkLen == 0 ? EMPTY : new byte[bulkLen];
                        } catch (OutOfMemoryError e) {
                            state = BULK_DATA; // the header is consumed: the data comes next
                            throw e;
                        }
                        in.readBytes(arg);
                        in.skipBytes(2);
                        bulkTrailer = 0;
                        Result r = addArg(arg, sink);
                        if (r != null) return r;
                    } else {
                        // the arguments held, plus this one once it has arrived, must fit the limit
                        if (argBytes + (piecedArgs + argc + 1L) * ARG_OVERHEAD + len > queryBufferLimit) return Result.QUERY_BUFFER_LIMIT;
                        state = BULK_DATA;
                    }
                }
                case BULK_DATA -> {
                    int want = bulkLen - bulkPos;
                    if (want > 0) {
                        int n = Math.min(want, in.readableBytes());
                        if (bulk == null || bulkPos + n > bulk.length) {
                            int cap = newCapacity(bulkPos + n);
                            if (cap >= OFFLOADED_GROWTH) {
                                pendingCapacity = cap;
                                return Result.GROW;
                            }
                            bulk = grow(bulk, cap);
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
                    byte[] arg = bulk == null ? EMPTY : bulk;
                    bulk = null;
                    bulkPos = 0;
                    state = ARG_LINE;
                    Result r = addArg(arg, sink);
                    if (r != null) return r;
                }
                case INLINE -> {
                    // Redis: strchr(line, '\n'); a NUL before the LF hides the LF for good
                    int lf = in.indexOfOrNul(in.readerIndex(), in.writerIndex(), (byte) '\n');
                    if (lf < 0) {
                        if (lineLen + in.readableBytes() > INLINE_MAX) return fail("too big inline request");
                        appendLine(in, in.readableBytes());
                        return Result.NEED_MORE;
                    }
                    if (in.getByte(lf) == 0) {
                        stall(in, lf, "too big inline request");
                        continue;
                    }
                    appendLine(in, lf - in.readerIndex());
                    int end = lineLen;
                    if (end > 0 && line[end - 1] == '\r') end--;
                    // split before the LF is consumed: if an allocation fails, the line is still whole
                    List<byte[]> args = InlineSplitter.split(line, 0, end);
                    byte[][] cmd = args == null || args.isEmpty() ? null : args.toArray(new byte[0][]);
                    in.skipBytes(1);
                    state = IDLE;
                    endLine();
                    if (args == null) return fail("unbalanced quotes in request");
                    if (cmd != null && !sink.onCommand(cmd)) return Result.STOPPED;
                }
                case STALLED -> {
                    stalledBytes += in.readableBytes();
                    in.skipBytes(in.readableBytes());
                    if (stalledBytes > INLINE_MAX) return fail(stalledError);
                    return Result.NEED_MORE;
                }
                default -> throw new IllegalStateException("parser state " + state);
            }
        }
        return Result.NEED_MORE;
    }

    /** After a "*n" header: returns null to go on parsing, or the result to return. */
    private Result startMultibulk(long n, Sink sink) {
        if (n > Integer.MAX_VALUE) return fail("invalid multibulk length");
        if (n > 10 && sink.authRequired()) return fail("unauthenticated multibulk length");
        if (n <= 0) {
            // "*0", "*-1", even "*-9223372036854775808": an empty command, skipped as Redis does
            state = IDLE;
            return null;
        }
        // argv is made and grows as arguments arrive, so a lying count allocates nothing up front
        argv = null;
        argc = 0;
        argvPieces = null;
        piecedArgs = 0;
        argBytes = 0;
        argvExpected = (int) n;
        state = ARG_LINE;
        return null;
    }

    /** Adds a finished argument: returns null to go on parsing, or the result to return. */
    private Result addArg(byte[] arg, Sink sink) {
        argv[argc++] = arg;
        argBytes += arg.length;
        // every argument of the command counts, not only the one being received (Redis 7.0 forgets them),
        // whether or not the command arrived in one read
        if (argBytes + (long) (piecedArgs + argc) * ARG_OVERHEAD > queryBufferLimit) return Result.QUERY_BUFFER_LIMIT;
        if (piecedArgs + argc < argvExpected) return null;
        byte[][] cmd = argv;
        if (argvPieces != null) {
            cmd = new byte[argvExpected][];
            int off = 0;
            for (byte[][] piece : argvPieces) {
                System.arraycopy(piece, 0, cmd, off, piece.length);
                off += piece.length;
            }
            System.arraycopy(argv, 0, cmd, off, argc);
            argvPieces = null;
            piecedArgs = 0;
        }
        argv = null;
        argBytes = 0;
        state = IDLE;
        return sink.onCommand(cmd) ? null : Result.STOPPED;
    }

    /**
     * The capacity the partial argument's array needs for {@code need} bytes, in proportion to what arrived:
     * the capacity doubles (from MIN_BULK_CAPACITY, or what arrived in one read) up to half the
     * argument, then becomes exactly the argument's length once more than half of it has arrived. So the
     * array never exceeds twice the bytes received or MIN_BULK_CAPACITY (a declared length alone
     * reserves nothing), the copies add up to at most 1.5x the argument (linear time), and the peak
     * during the last copy, old array plus new, is at most 1.5x the argument. Measured (old + new at each
     * step, bytes copied) for 300 MB and 512 MB arguments in 64 KB reads: plain doubling peaks at 1.89x
     * for 300 MB (an old 268 MB array next to the new 300 MB one) and copies 1.79x; growing by 1.5x
     * peaks at 1.97x and 1.81x and copies 2.9x and 2.4x; this policy peaks at 1.50x for both and copies
     * 1.39x and 1.00x. Its time for a full 512 MB SET equals the former 1 MiB-then-doubling growth's.
     * Nothing changes if the allocation fails.
     */
    private int newCapacity(int need) {
        int cap = bulk == null ? 0 : bulk.length;
        int half = bulkLen / 2;
        return need > half ? bulkLen : (int) Math.min(half, Math.max(need, Math.max(2L * cap, MIN_BULK_CAPACITY)));
    }

    private static byte[] grow(byte[] old, int capacity) {
        // Arrays.copyOf: the JIT then skips zeroing the part it copies (it zeroes only the new tail)
        return old == null ? new byte[capacity] : Arrays.copyOf(old, capacity);
    }

    /**
     * After GROW, on any thread: the partial argument's bytes in an array of the capacity it needs. The
     * parser must not be fed until {@link #installGrown}; the array it copies does not change meanwhile.
     */
    public byte[] grown() {
        // in steps: one arraycopy of hundreds of MB has no safepoint poll, so a collection would wait for
        // it with every other thread stopped, the executing loop included
        byte[] grown = new byte[pendingCapacity];
        for (int off = 0; off < bulkPos; off += COPY_STEP) System.arraycopy(bulk, off, grown, off, Math.min(COPY_STEP, bulkPos - off));
        return grown;
    }

    /** After GROW, on the executing thread: adopts the array {@link #grown} made. */
    public void installGrown(byte[] grown) {
        if (pendingCapacity == 0 || grown.length != pendingCapacity || state != BULK_DATA) {
            throw new IllegalStateException("no growth pending for this array");
        }
        bulk = grown;
        pendingCapacity = 0;
    }

    private static final int COPY_STEP = 1 << 20;

    /**
     * Reads a header line as Redis does: up to the first CR, whose next byte is then skipped whatever it
     * is. Returns true with the line in line[0, lineLen) (without its CR). Otherwise everything readable
     * was consumed: kept in {@link #line}, or, after a NUL, counted by the STALLED state. Fails with
     * Redis's words when a line without its CR passes INLINE_MAX.
     */
    private boolean readHeader(Input in) {
        if (!lineCr) {
            int cr = in.indexOfOrNul(in.readerIndex(), in.writerIndex(), (byte) '\r');
            if (cr < 0) {
                if (lineLen + in.readableBytes() > INLINE_MAX) {
                    // only a line still waiting for its CR is limited (Redis checks when strchr finds none);
                    // it can no longer end in time: the STALLED state counts the rest and fails
                    stalledError = state == COUNT_LINE ? "too big mbulk count string" : "too big bulk count string";
                    stalledBytes = lineLen;
                    endLine();
                    state = STALLED;
                    return false;
                }
                appendLine(in, in.readableBytes());
                return false;
            }
            if (in.getByte(cr) == 0) {
                stall(in, cr, state == COUNT_LINE ? "too big mbulk count string" : "too big bulk count string");
                return false;
            }
            appendLine(in, cr - in.readerIndex());
            in.skipBytes(1);
            lineCr = true;
        }
        if (!in.isReadable()) return false;
        in.skipBytes(1); // Redis: the line ends at CR + 2, whatever the second byte is
        lineCr = false;
        return true;
    }

    /** A NUL at {@code nul} hides the line's end for good: the rest is only counted, as Redis holds it. */
    private void stall(Input in, int nul, String tooBig) {
        stalledBytes = lineLen + (nul - in.readerIndex());
        in.skipBytes(nul - in.readerIndex());
        stalledError = tooBig;
        endLine();
        state = STALLED;
    }

    private void appendLine(Input in, int n) {
        if (lineLen + n > line.length) line = Arrays.copyOf(line, Math.max(Math.max(64, line.length * 2), lineLen + n));
        in.readBytes(line, lineLen, n);
        lineLen += n;
    }

    /** Forgets the current line; a buffer grown by a long line is dropped (allocating nothing here). */
    private void endLine() {
        lineLen = 0;
        if (line.length > 4096) line = EMPTY;
    }

    /**
     * A header number that is not one. Above every limit, so it fails each check exactly as an
     * out-of-range number does ("invalid multibulk length", "invalid bulk length"); every real number,
     * down to Long.MIN_VALUE, stays distinct from it.
     */
    private static final long BAD = Long.MAX_VALUE;
    /** quickNumber could not read the header (it never returns a negative number otherwise). */
    private static final long NEED_LINE = -1;

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
            } else if (c == '\r' && p + 1 < end && digits > 0) {
                // leading zeros are not canonical: let the general path reject them
                if (digits > 1 && a[in.r + 1] == '0') return NEED_LINE;
                in.r = p + 2; // CR and the byte after it, whatever it is, as Redis does
                return v;
            } else {
                return NEED_LINE;
            }
        }
        return NEED_LINE;
    }

    /**
     * The number after the header's first byte, as Redis's string2ll reads it (Long.MIN_VALUE is a valid
     * number), or BAD. Resets the line.
     */
    private long lineNumber() {
        int n = lineLen - 1;
        long v = n > 0 && Ascii.isLong(line, 1, n) ? Ascii.parseLongOr(line, 1, n, 0) : BAD;
        endLine();
        return v;
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
