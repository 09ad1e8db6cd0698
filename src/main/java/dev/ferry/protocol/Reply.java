package dev.ferry.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;

/**
 * Writes RESP2 or RESP3 replies into one output buffer per connection. Every reply of one read batch
 * (a whole pipeline) lands in the same buffer and leaves in one socket write.
 *
 * <p>RESP3-only shapes (map, set, double, boolean, null) fall back to their RESP2 equivalents
 * when the client did not ask for protocol 3 with HELLO, exactly as Redis's addReply* family does.
 */
public final class Reply {
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_ARRAY = "*0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] SMALL_INTS = new byte[1024][];
    private static final byte[][] SMALL_BULK_HEADERS = new byte[1024][];

    static {
        for (int i = 0; i < SMALL_INTS.length; i++) {
            SMALL_INTS[i] = (":" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
            SMALL_BULK_HEADERS[i] = ("$" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    /**
     * Initial and resting size of the reply buffer; a batch that grew it past SHRINK_ABOVE gives it back.
     * 1 KB, Redis's PROTO_REPLY_MIN_BYTES (what Redis 7 shrinks an idle client's buffer to): a connection
     * costs little until it asks for more, and the buffer doubles when it does. (16 KB up front made
     * 5,000 connections opened at once zero 80 MB on the executing loop.)
     */
    private static final int INITIAL = 1024;
    private static final int SHRINK_ABOVE = 1 << 20;

    /*
     * Replies accumulate in a plain byte[] (array stores are the cheapest writes the JIT knows) and leave
     * in one bulk copy into a pooled direct buffer per batch, see drain().
     */
    private byte[] buf = new byte[INITIAL];
    private int pos;
    private int protocol = 2;

    /** Bytes written since the last drain. */
    public int position() {
        return pos;
    }

    /** Drops everything written after {@code mark} (CLIENT REPLY OFF / SKIP). */
    public void truncate(int mark) {
        pos = mark;
    }

    public boolean isEmpty() {
        return pos == 0;
    }

    /** Moves the pending replies into one direct buffer for the socket; null when there are none. */
    public ByteBuf drain(ByteBufAllocator alloc) {
        if (pos == 0) return null;
        ByteBuf out = alloc.directBuffer(pos);
        out.writeBytes(buf, 0, pos);
        pos = 0;
        if (buf.length > SHRINK_ABOVE) buf = new byte[INITIAL];
        return out;
    }

    /** Moves the pending replies into a new heap array (output queued for a slow reader); null when none. */
    public byte[] drainToArray() {
        return drainToArray(0);
    }

    /**
     * Like {@link #drainToArray()} for the bytes after the first {@code from}, which the caller already took
     * with {@link #copyHead}; null when nothing is left.
     */
    public byte[] drainToArray(int from) {
        if (pos <= from) {
            pos = 0;
            return null;
        }
        byte[] out = Arrays.copyOfRange(buf, from, pos);
        pos = 0;
        if (buf.length > SHRINK_ABOVE) buf = new byte[INITIAL];
        return out;
    }

    /** The first {@code n} pending bytes (n <= position()) in one direct buffer, without draining them. */
    public ByteBuf copyHead(ByteBufAllocator alloc, int n) {
        ByteBuf out = alloc.directBuffer(n);
        out.writeBytes(buf, 0, n);
        return out;
    }

    /** Moves what another writer holds to the end of this one (pushes kept past CLIENT REPLY OFF). */
    public void append(Reply other) {
        put(other.buf, 0, other.pos);
        other.pos = 0;
    }

    /** Appends bytes as they are (a replica's stream, a keepalive newline). */
    public void raw(byte[] b, int off, int len) {
        put(b, off, len);
    }

    /** Bytes allocated for the reply buffer (CLIENT LIST rbs). */
    public int capacity() {
        return buf.length;
    }

    /** The pending replies as bytes (tests, diagnostics); does not drain. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            long want = Math.max((long) buf.length * 2, (long) pos + n);
            if (want > Integer.MAX_VALUE - 16) throw new OutOfMemoryError("reply larger than 2 GB");
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    private void put(byte[] b) {
        put(b, 0, b.length);
    }

    private void put(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    private void put(byte b) {
        if (pos == buf.length) ensure(1);
        buf[pos++] = b;
    }

    private void crlf() {
        ensure(2);
        buf[pos++] = '\r';
        buf[pos++] = '\n';
    }

    public int protocol() {
        return protocol;
    }

    public void protocol(int version) {
        this.protocol = version;
    }

    public boolean resp3() {
        return protocol == 3;
    }

    public void ok() {
        put(OK, 0, 5);
    }

    /** A simple string reply: {@code +text}. */
    public void simple(String text) {
        put((byte) '+');
        writeText(text);
        crlf();
    }

    /**
     * An error reply. The message starts with its code ("ERR ...", "WRONGTYPE ..."); line breaks are
     * replaced by spaces, as Redis does, so an error can never break the framing.
     */
    public void error(String message) {
        put((byte) '-');
        byte[] b = Ascii.bytes(message);
        for (int i = 0; i < b.length; i++) if (b[i] == '\r' || b[i] == '\n') b[i] = ' ';
        put(b);
        crlf();
    }

    /** A HELP reply: one status line each, as Redis's addReplyHelp. */
    public void help(String[] lines) {
        array(lines.length);
        for (String l : lines) simple(l);
    }

    public void integer(long v) {
        if (v >= 0 && v < SMALL_INTS.length) {
            put(SMALL_INTS[(int) v]);
            return;
        }
        put((byte) ':');
        writeLong(v);
        crlf();
    }

    public void bulk(byte[] value) {
        bulk(value, 0, value.length);
    }

    public void bulk(byte[] value, int off, int len) {
        // one capacity check for header, bytes and CRLF, and the usual short header written in place: this is
        // the reply of GET and of every element of LRANGE, SMEMBERS, HGETALL ...
        if (len >= 100) {
            header('$', len);
            put(value, off, len);
            crlf();
            return;
        }
        if (pos + len + 7 > buf.length) ensure(len + 7); // "$", two digits, CRLF, the bytes, CRLF
        byte[] b = buf;
        int p = pos;
        b[p++] = '$';
        if (len >= 10) b[p++] = (byte) ('0' + len / 10);
        b[p++] = (byte) ('0' + len % 10);
        b[p++] = '\r';
        b[p++] = '\n';
        if (len <= 16) {
            for (int i = 0; i < len; i++) b[p + i] = value[off + i];
        } else {
            System.arraycopy(value, off, b, p, len);
        }
        p += len;
        b[p++] = '\r';
        b[p++] = '\n';
        pos = p;
    }

    public void bulk(String value) {
        bulk(Ascii.bytes(value));
    }

    /** A bulk string, or the null reply when value is null. */
    public void bulkOrNull(byte[] value) {
        if (value == null) nullBulk();
        else bulk(value);
    }

    public void bulk(long v) {
        bulk(Ascii.toBytes(v));
    }

    public void nullBulk() {
        put(protocol == 3 ? NULL3 : NULL_BULK);
    }

    public void nullArray() {
        put(protocol == 3 ? NULL3 : NULL_ARRAY);
    }

    public void array(int n) {
        if (n == 0) put(EMPTY_ARRAY);
        else header('*', n);
    }

    /** A push frame of n elements (pubsub messages): RESP3 {@code >n}, RESP2 an array. */
    public void push(int n) {
        if (protocol == 3) header('>', n);
        else array(n);
    }

    /** A map of n pairs: RESP3 {@code %n}, RESP2 a flat array of 2n. */
    public void map(int pairs) {
        if (protocol == 3) header('%', pairs);
        else array(pairs * 2);
    }

    /** A set: RESP3 {@code ~n}, RESP2 an array. */
    public void set(int n) {
        if (protocol == 3) header('~', n);
        else array(n);
    }

    /**
     * Redis's addReplyDouble: RESP3 {@code ,v}, RESP2 the %.17g text as a bulk string. Integral values (the
     * usual sorted-set scores) are written digit by digit, without building a String.
     */
    public void dbl(double v) {
        if (v == (long) v && Math.abs(v) < 1e17 && !(v == 0 && 1 / v < 0)) {
            long l = (long) v;
            int width = Ascii.digits(l);
            if (protocol == 3) {
                put((byte) ',');
                writeLong(l);
                crlf();
            } else {
                header('$', width);
                writeLong(l);
                crlf();
            }
            return;
        }
        byte[] text = Doubles.format(v).getBytes(StandardCharsets.US_ASCII);
        if (protocol == 3) {
            put((byte) ',');
            put(text);
            crlf();
        } else {
            bulk(text);
        }
    }

    public void bool(boolean v) {
        if (protocol == 3) put(v ? "#t\r\n".getBytes(StandardCharsets.US_ASCII) : "#f\r\n".getBytes(StandardCharsets.US_ASCII));
        else integer(v ? 1 : 0);
    }

    /** Long text such as INFO: RESP3 verbatim string of format "txt", RESP2 a bulk string. */
    public void verbatim(String text) {
        byte[] b = Ascii.bytes(text);
        if (protocol == 3) {
            header('=', b.length + 4);
            put("txt:".getBytes(StandardCharsets.US_ASCII));
            put(b);
            crlf();
        } else {
            bulk(b);
        }
    }

    public void bulks(Collection<byte[]> values) {
        array(values.size());
        for (byte[] v : values) bulk(v);
    }

    public void bulkStrings(Collection<String> values) {
        array(values.size());
        for (String v : values) bulk(v);
    }

    private void header(char type, long n) {
        if (type == '$' && n < SMALL_BULK_HEADERS.length) {
            put(SMALL_BULK_HEADERS[(int) n]);
            return;
        }
        put((byte) type);
        writeLong(n);
        crlf();
    }

    private void writeLong(long v) {
        int width = Ascii.digits(v);
        ensure(width);
        Ascii.write(v, buf, pos, width);
        pos += width;
    }

    /** {@link Ascii#bytes} without the copy for the usual one-byte text. */
    private void writeText(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                put(Ascii.bytes(s.substring(i)));
                return;
            }
            put((byte) s.charAt(i));
        }
    }

    /** Text helpers shared by commands that format numbers the way Redis does. */
    public static final class Doubles {
        private Doubles() {}

        /**
         * C's %.17g as Redis uses it for double replies (inf / -inf / nan spelled like Redis): the exact binary
         * value rounded half-even to 17 significant digits (Java's own %g pads the shortest representation with
         * zeros instead, printing 0.1 as 0.10000000000000000 where C prints 0.10000000000000001), trailing
         * zeros dropped, exponent form below 1e-4 and from 1e17, with at least two exponent digits.
         */
        public static String format(double v) {
            if (Double.isNaN(v)) return "nan";
            if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
            if (v == 0) return 1 / v < 0 ? "-0" : "0";
            if (v == (long) v && Math.abs(v) < 1e17) return Long.toString((long) v);
            BigDecimal bd = new BigDecimal(v).round(new java.math.MathContext(17, java.math.RoundingMode.HALF_EVEN));
            String digits = bd.unscaledValue().abs().toString();
            int exp = digits.length() - 1 - bd.scale();
            int end = digits.length();
            while (end > 1 && digits.charAt(end - 1) == '0') end--;
            digits = digits.substring(0, end);
            StringBuilder sb = new StringBuilder(26);
            if (v < 0) sb.append('-');
            if (exp < -4 || exp >= 17) {
                sb.append(digits.charAt(0));
                if (digits.length() > 1) sb.append('.').append(digits, 1, digits.length());
                sb.append('e').append(exp < 0 ? '-' : '+');
                int ax = Math.abs(exp);
                if (ax < 10) sb.append('0');
                sb.append(ax);
            } else if (exp >= 0) {
                if (digits.length() <= exp + 1) {
                    sb.append(digits);
                    for (int i = digits.length(); i <= exp; i++) sb.append('0');
                } else {
                    sb.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
                }
            } else {
                sb.append("0.");
                for (int i = -1; i > exp; i--) sb.append('0');
                sb.append(digits);
            }
            return sb.toString();
        }
    }
}
