package dev.ferry.protocol;

import io.netty.buffer.ByteBuf;

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
 * the size of the bytes received and grows with them (see {@link PartialArgument}), so a connection that
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

        /**
         * Called before parsing a read that starts with a whole command, with the read's bytes a[from, to): a
         * hint to look its keys up ahead ({@link PipelineKeys}). Must not change anything a command could observe.
         */
        default void prefetch(byte[] a, int from, int to) {
        }

        /** An inline request with nothing in it (a bare newline): a replica's keepalive while it loads. */
        default void onEmptyLine() {
        }

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

    /** Redis's PROTO_INLINE_MAX_SIZE: the most bytes a line without its end may hold. */
    static final int INLINE_MAX = 64 * 1024;

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

    /** The complete arguments of the multibulk command being received. */
    private final ArgumentVector args = new ArgumentVector();
    /** The argument being received. */
    private final PartialArgument arg = new PartialArgument();
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
        return args.bytes() + arg.received() + lineLen + (lineCr ? 1 : 0);
    }

    /**
     * Bytes of the arrays this parser holds for the connection: its line buffer, the partial argument's
     * array at its capacity and the arguments already complete. Minus {@link #pendingBytes()} it is the
     * free room ("qbuf-free"); it is the input side of "tot-mem".
     */
    public long allocatedBytes() {
        return line.length + arg.capacity() + args.bytes();
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
        ReadBytes input = INPUT.get();
        if (input.busy) input = new ReadBytes(); // a feed inside a feed on the same thread (never on the hot path)
        int n = in.readableBytes();
        input.load(in, n);
        try {
            return feed(input, sink);
        } finally {
            in.skipBytes(input.r);
            input.busy = false;
        }
    }

    private static final ThreadLocal<ReadBytes> INPUT = ThreadLocal.withInitial(ReadBytes::new);

    private Result feed(ReadBytes in, Sink sink) {
        queryBufferLimit = limits.queryBufferLimit();
        if (state == IDLE) sink.prefetch(in.a, in.r, in.w);
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
                    args.reserveSlot(); // before anything is consumed: if that allocation fails, nothing moved
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
                    arg.start((int) len);
                    if (in.readableBytes() >= len + 2) {
                        // fast path: the whole argument is here
                        byte[] whole;
                        try {
                            whole = len == 0 ? EMPTY : new byte[(int) len];
                        } catch (OutOfMemoryError e) {
                            state = BULK_DATA; // the header is consumed: the data comes next
                            throw e;
                        }
                        in.readBytes(whole);
                        in.skipBytes(2);
                        Result r = addArg(whole, sink);
                        if (r != null) return r;
                    } else {
                        // the arguments held, plus this one once it has arrived, must fit the limit
                        if (args.heldWith(len, 1) > queryBufferLimit) return Result.QUERY_BUFFER_LIMIT;
                        state = BULK_DATA;
                    }
                }
                case BULK_DATA -> {
                    int n = Math.min(arg.missing(), in.readableBytes());
                    if (n > 0) {
                        int capacity = arg.capacityFor(n);
                        if (capacity >= OFFLOADED_GROWTH) {
                            arg.deferGrowth(capacity);
                            return Result.GROW;
                        }
                        if (capacity > 0) arg.growTo(capacity);
                        arg.append(in, n);
                        if (arg.missing() > 0) return Result.NEED_MORE;
                    }
                    if (!arg.skipTrailer(in)) return Result.NEED_MORE;
                    state = ARG_LINE;
                    Result r = addArg(arg.take(), sink);
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
                    if (end == 0) sink.onEmptyLine();
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
        // the vector grows as arguments arrive, so a lying count allocates nothing up front
        args.start((int) n);
        state = ARG_LINE;
        return null;
    }

    /** Adds a finished argument: returns null to go on parsing, or the result to return. */
    private Result addArg(byte[] finished, Sink sink) {
        args.add(finished);
        // every argument of the command counts, not only the one being received (Redis 7.0 forgets them),
        // whether or not the command arrived in one read
        if (args.heldWith(0, 0) > queryBufferLimit) return Result.QUERY_BUFFER_LIMIT;
        if (!args.complete()) return null;
        state = IDLE;
        return sink.onCommand(args.take()) ? null : Result.STOPPED;
    }

    /**
     * After GROW, on any thread: the partial argument's bytes in an array of the capacity it needs. The
     * parser must not be fed until {@link #installGrown}; the array it copies does not change meanwhile.
     */
    public byte[] grown() {
        return arg.grown();
    }

    /** After GROW, on the executing thread: adopts the array {@link #grown} made. */
    public void installGrown(byte[] grown) {
        if (state != BULK_DATA) throw new IllegalStateException("no growth pending for this array");
        arg.install(grown);
    }

    /**
     * Reads a header line as Redis does: up to the first CR, whose next byte is then skipped whatever it
     * is. Returns true with the line in line[0, lineLen) (without its CR). Otherwise everything readable
     * was consumed: kept in {@link #line}, or, after a NUL, counted by the STALLED state. Fails with
     * Redis's words when a line without its CR passes INLINE_MAX.
     */
    private boolean readHeader(ReadBytes in) {
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
    private void stall(ReadBytes in, int nul, String tooBig) {
        stalledBytes = lineLen + (nul - in.readerIndex());
        in.skipBytes(nul - in.readerIndex());
        stalledError = tooBig;
        endLine();
        state = STALLED;
    }

    private void appendLine(ReadBytes in, int n) {
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
    private static long quickNumber(ReadBytes in) {
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
}
