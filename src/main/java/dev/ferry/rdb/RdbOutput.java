package dev.ferry.rdb;

import dev.ferry.store.RdbType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes RDB primitives as Redis's rdb.c does (rdbSaveLen, rdbSaveRawString, rdbSaveBinaryDoubleValue,
 * rdbSaveMillisecondTime, rdbSaveAuxField...) into a buffer that either drains into an OutputStream (a
 * snapshot file, a replica socket) or grows in memory (a DUMP payload), keeping the running CRC64 of
 * everything written: the RDB trailer and the DUMP footer both need it.
 *
 * <p>The CRC is computed over the buffer in bulk when it drains (or when asked), not byte by byte. Not
 * thread-safe.
 */
public final class RdbOutput implements AutoCloseable {
    private static final int FLUSH_AT = 1 << 16;

    private final OutputStream out;
    private byte[] buf;
    private int pos;
    /** Bytes of buf already fed to the CRC. */
    private int crcDone;
    private long crc;
    /** Bytes that left buf for the stream. */
    private long drained;
    private final boolean compression;
    private final boolean checksum;
    private Lzf lzf;
    private byte[] lzfOut;

    private RdbOutput(OutputStream out, int initial, boolean compression, boolean checksum) {
        this.out = out;
        this.buf = new byte[initial];
        this.compression = compression;
        this.checksum = checksum;
    }

    /**
     * A writer into a stream. {@code compression} is rdbcompression (LZF for strings over 20 bytes),
     * {@code checksum} is rdbchecksum (when off, the trailer is 8 zero bytes and no CRC is computed).
     */
    public static RdbOutput to(OutputStream out, boolean compression, boolean checksum) {
        return new RdbOutput(out, FLUSH_AT + 64, compression, checksum);
    }

    /** A writer into a growing in-memory buffer ({@link #toByteArray}), e.g. for a DUMP payload. */
    public static RdbOutput inMemory(boolean compression) {
        return new RdbOutput(null, 256, compression, true);
    }

    /** Bytes written so far (the offset of the next byte). */
    public long written() {
        return drained + pos;
    }

    /** The CRC64 of every byte written so far. */
    public long crc() {
        if (checksum && crcDone < pos) {
            crc = Crc64.update(crc, buf, crcDone, pos - crcDone);
            crcDone = pos;
        }
        return crc;
    }

    /** What an in-memory writer holds. */
    public byte[] toByteArray() {
        if (out != null) throw new IllegalStateException("a stream writer");
        return Arrays.copyOf(buf, pos);
    }

    // ---- raw bytes ----

    public void writeByte(int b) throws IOException {
        if (pos == buf.length) room(1);
        buf[pos++] = (byte) b;
    }

    public void writeBytes(byte[] b, int off, int len) throws IOException {
        if (out != null && len >= FLUSH_AT) {
            // a big value goes straight to the stream, CRC'd in place
            drain();
            if (checksum) crc = Crc64.update(crc, b, off, len);
            out.write(b, off, len);
            drained += len;
            return;
        }
        room(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    public void writeBytes(byte[] b) throws IOException {
        writeBytes(b, 0, b.length);
    }

    /** A 64-bit value, little-endian (EXPIRETIME_MS, the trailer). */
    public void writeLongLe(long v) throws IOException {
        room(8);
        for (int i = 0; i < 8; i++) buf[pos++] = (byte) (v >>> (8 * i));
    }

    // ---- RDB primitives ----

    /** A length in the shortest form (rdbSaveLen): 6 bits, 14 bits big-endian, 0x80 + u32be, 0x81 + u64be. */
    public void writeLength(long len) throws IOException {
        room(9);
        if (len >= 0 && len < (1 << 6)) {
            buf[pos++] = (byte) len;
        } else if (len >= 0 && len < (1 << 14)) {
            buf[pos++] = (byte) ((len >>> 8) | (RdbType.LEN_14BIT << 6));
            buf[pos++] = (byte) len;
        } else if (len >= 0 && len <= 0xFFFFFFFFL) {
            buf[pos++] = (byte) RdbType.LEN_32BIT;
            for (int i = 3; i >= 0; i--) buf[pos++] = (byte) (len >>> (8 * i));
        } else {
            // lengths are unsigned 64-bit in Redis; a negative long is its two's complement pattern
            buf[pos++] = (byte) RdbType.LEN_64BIT;
            for (int i = 7; i >= 0; i--) buf[pos++] = (byte) (len >>> (8 * i));
        }
    }

    /** A string as rdbSaveRawString writes it: integer-encoded, else LZF when enabled and worth it, else raw. */
    public void writeString(byte[] s) throws IOException {
        writeString(s, 0, s.length);
    }

    public void writeString(byte[] s, int off, int len) throws IOException {
        // rdbTryIntegerEncoding: only for up to 11 characters, canonical (string2ll), within 32 bits
        if (len <= 11 && len > 0) {
            long v = canonicalInt(s, off, len);
            if (v != NOT_CANONICAL && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                writeIntEncoded((int) v);
                return;
            }
        }
        if (compression && len > 20 && writeLzf(s, off, len)) return;
        writeLength(len);
        writeBytes(s, off, len);
    }

    /** A string written raw, without the integer and LZF attempts (a blob that must stay as it is is fine either way). */
    public void writeRawString(byte[] s, int off, int len) throws IOException {
        writeLength(len);
        writeBytes(s, off, len);
    }

    /**
     * An integer as a string (rdbSaveLongLongAsStringObject): INT8/16/32 when it fits 32 bits, else its
     * decimal text as a plain string. What Redis writes for int-encoded string values and numeric AUX values.
     */
    public void writeLongAsString(long v) throws IOException {
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            writeIntEncoded((int) v);
        } else {
            byte[] text = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
            writeLength(text.length);
            writeBytes(text);
        }
    }

    /** rdbEncodeInteger: the smallest of INT8, INT16 (LE), INT32 (LE). */
    private void writeIntEncoded(int v) throws IOException {
        room(5);
        int enc = RdbType.LEN_ENCVAL << 6;
        if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
            buf[pos++] = (byte) (enc | RdbType.ENC_INT8);
            buf[pos++] = (byte) v;
        } else if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
            buf[pos++] = (byte) (enc | RdbType.ENC_INT16);
            buf[pos++] = (byte) v;
            buf[pos++] = (byte) (v >>> 8);
        } else {
            buf[pos++] = (byte) (enc | RdbType.ENC_INT32);
            for (int i = 0; i < 4; i++) buf[pos++] = (byte) (v >>> (8 * i));
        }
    }

    /** rdbSaveLzfStringObject: LZF into a budget of len - 4 bytes; false (nothing written) when it does not fit. */
    private boolean writeLzf(byte[] s, int off, int len) throws IOException {
        int budget = len - 4;
        if (lzfOut == null || lzfOut.length < budget) lzfOut = new byte[Math.max(budget, 256)];
        if (lzf == null) lzf = new Lzf();
        int clen = lzf.compress(s, off, len, lzfOut, 0, budget);
        if (clen == 0) return false;
        writeByte((RdbType.LEN_ENCVAL << 6) | RdbType.ENC_LZF);
        writeLength(clen);
        writeLength(len);
        writeBytes(lzfOut, 0, clen);
        if (lzfOut.length > (1 << 20)) lzfOut = null; // do not keep a big value's buffer
        return true;
    }

    /** A binary double, 8 bytes IEEE 754 little-endian (rdbSaveBinaryDoubleValue, ZSET_2 scores). */
    public void writeBinaryDouble(double d) throws IOException {
        writeLongLe(Double.doubleToRawLongBits(d));
    }

    /**
     * A text double (rdbSaveDoubleValue, type 3 ZSET scores in old files): one length byte and the text,
     * or 253/254/255 for NaN/+inf/-inf. Written only to build old-format files (tests, converters).
     */
    public void writeTextDouble(double d) throws IOException {
        if (Double.isNaN(d)) {
            writeByte(RdbType.DOUBLE_NAN);
        } else if (d == Double.POSITIVE_INFINITY) {
            writeByte(RdbType.DOUBLE_POS_INF);
        } else if (d == Double.NEGATIVE_INFINITY) {
            writeByte(RdbType.DOUBLE_NEG_INF);
        } else {
            String text = d == Math.rint(d) && Math.abs(d) < 9.2e18 ? Long.toString((long) d) : Double.toString(d);
            byte[] b = text.getBytes(StandardCharsets.US_ASCII);
            writeByte(b.length);
            writeBytes(b);
        }
    }

    // ---- records ----

    /** "REDIS" and the version as 4 digits. */
    public void writeHeader(int version) throws IOException {
        writeBytes(String.format("REDIS%04d", version).getBytes(StandardCharsets.US_ASCII));
    }

    /** The header Ferry writes: REDIS0010. */
    public void writeHeader() throws IOException {
        writeHeader(RdbType.RDB_VERSION);
    }

    /** An AUX field with a string value (rdbSaveAuxFieldStrStr). */
    public void writeAux(String key, String value) throws IOException {
        writeAux(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    public void writeAux(byte[] key, byte[] value) throws IOException {
        writeByte(RdbType.OPCODE_AUX);
        writeString(key);
        writeString(value);
    }

    /** An AUX field with a numeric value (rdbSaveAuxFieldStrInt): int-encoded when it fits 32 bits. */
    public void writeAux(String key, long value) throws IOException {
        writeByte(RdbType.OPCODE_AUX);
        writeString(key.getBytes(StandardCharsets.UTF_8));
        writeLongAsString(value);
    }

    public void writeSelectDb(long db) throws IOException {
        writeByte(RdbType.OPCODE_SELECTDB);
        writeLength(db);
    }

    public void writeResizeDb(long keys, long expires) throws IOException {
        writeByte(RdbType.OPCODE_RESIZEDB);
        writeLength(keys);
        writeLength(expires);
    }

    /** The absolute expiry (Unix ms) of the key that follows (EXPIRETIME_MS + i64le). */
    public void writeExpireMs(long unixMs) throws IOException {
        writeByte(RdbType.OPCODE_EXPIRETIME_MS);
        writeLongLe(unixMs);
    }

    /** The LRU idle seconds of the key that follows (written only under an LRU maxmemory-policy). */
    public void writeIdle(long seconds) throws IOException {
        writeByte(RdbType.OPCODE_IDLE);
        writeLength(seconds);
    }

    /** The LFU counter of the key that follows (written only under an LFU maxmemory-policy). */
    public void writeFreq(int counter) throws IOException {
        writeByte(RdbType.OPCODE_FREQ);
        writeByte(counter);
    }

    /** A function library (FUNCTION2): its whole source. */
    public void writeFunction(byte[] code) throws IOException {
        writeByte(RdbType.OPCODE_FUNCTION2);
        writeString(code);
    }

    /** A key's type byte and name; the value follows. */
    public void writeKey(int type, byte[] key) throws IOException {
        writeByte(type);
        writeString(key);
    }

    /** EOF, then the CRC64 of everything before and including it, little-endian (0 when checksums are off). */
    public void writeEof() throws IOException {
        writeByte(RdbType.OPCODE_EOF);
        long c = checksum ? crc() : 0;
        writeLongLe(c);
        crcDone = pos; // the trailer is not part of what it checks
    }

    /** Sends what is buffered to the stream (and flushes it). */
    public void flush() throws IOException {
        if (out != null) {
            drain();
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        flush();
        if (out != null) out.close();
    }

    private void drain() throws IOException {
        if (out == null || pos == 0) return;
        crc();
        out.write(buf, 0, pos);
        drained += pos;
        pos = 0;
        crcDone = 0;
    }

    private void room(int n) throws IOException {
        if (pos + n <= buf.length) return;
        if (out != null) {
            drain();
            if (n <= buf.length) return;
        }
        long want = Math.max((long) buf.length * 2, (long) pos + n);
        if (want > Integer.MAX_VALUE - 8) {
            if ((long) pos + n > Integer.MAX_VALUE - 8) throw new IOException("RDB buffer over 2 GB");
            want = Integer.MAX_VALUE - 8;
        }
        buf = Arrays.copyOf(buf, (int) want);
    }

    private static final long NOT_CANONICAL = Long.MIN_VALUE;

    /**
     * The value of a canonical decimal integer of at most 11 bytes (string2ll: optional '-', no leading zero,
     * "0" alone allowed, "-0" not), or NOT_CANONICAL. 11 bytes cannot reach Long.MIN_VALUE.
     */
    static long canonicalInt(byte[] s, int off, int len) {
        if (len == 1 && s[off] == '0') return 0;
        int p = off, end = off + len;
        boolean negative = s[p] == '-';
        if (negative) p++;
        if (p == end || s[p] < '1' || s[p] > '9') return NOT_CANONICAL;
        long v = 0;
        for (; p < end; p++) {
            int d = s[p] - '0';
            if (d < 0 || d > 9) return NOT_CANONICAL;
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }
}
