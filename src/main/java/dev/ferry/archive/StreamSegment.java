package dev.ferry.archive;

import dev.ferry.rdb.Crc64;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * One archived piece of the replication stream: the bytes of history {@code replId} after offset {@code start}
 * up to offset {@code end} (Redis's offsets: a count of the stream's bytes), exactly as a replica receives them,
 * with pairs of (offset, unix ms) that turn a time into an offset.
 *
 * <p>Stored as {@code stream/<replid>/<start, 20 digits>.seg}: the key of the segment that follows is the
 * {@code end} of this one, so a reader walks a history from any point where a segment starts (every archived
 * snapshot's offset is one) with one GET per segment, never a LIST, and the manifest needs one entry per history,
 * not one per segment.
 *
 * <p>Layout: "FERRYSEG", version (1 byte), flags (1 byte, bit 0: deflated), replid (40 ASCII), start, end
 * (8 bytes each, big-endian), index count (4 bytes) and pairs (8 + 8 bytes each), payload length (4 bytes) and
 * payload, then the CRC64 (Jones, as RDB's) of everything before it (8 bytes, little-endian).
 */
record StreamSegment(String replId, long start, long end, long[] indexOffsets, long[] indexMillis, byte[] payload) {
    private static final byte[] MAGIC = "FERRYSEG".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int DEFLATED = 1;
    private static final int REPLID_LENGTH = 40;
    /** More index pairs than this in one segment is not something this writer makes: a corrupt count. */
    private static final int MAX_INDEX = 1 << 20;

    StreamSegment {
        if (replId.length() != REPLID_LENGTH) throw new IllegalArgumentException("a replid has 40 characters: " + replId);
        if (end - start != payload.length) throw new IllegalArgumentException("segment " + start + "-" + end + " holds " + payload.length + " bytes");
        if (indexOffsets.length != indexMillis.length) throw new IllegalArgumentException("index offsets and times differ in number");
    }

    static String key(String replId, long start) {
        return "stream/" + replId + "/" + String.format("%020d", start) + ".seg";
    }

    String key() {
        return key(replId, start);
    }

    /** The stored form, its payload deflated (fast level: this runs once a second on a worker). */
    byte[] encode() {
        byte[] packed = deflate(payload);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + REPLID_LENGTH + 16 + 4 + indexOffsets.length * 16 + 4 + packed.length + 8);
        b.put(MAGIC).put((byte) VERSION).put((byte) DEFLATED).put(replId.getBytes(StandardCharsets.US_ASCII));
        b.putLong(start).putLong(end).putInt(indexOffsets.length);
        for (int i = 0; i < indexOffsets.length; i++) b.putLong(indexOffsets[i]).putLong(indexMillis[i]);
        b.putInt(packed.length).put(packed);
        long crc = Crc64.update(0, b.array(), 0, b.position());
        for (int i = 0; i < 8; i++) b.put((byte) (crc >>> (8 * i)));
        return b.array();
    }

    /** Reads a stored segment, checking its checksum and every length before trusting it. */
    static StreamSegment decode(byte[] bytes) throws IOException {
        if (bytes.length < MAGIC.length + 2 + REPLID_LENGTH + 16 + 4 + 4 + 8) throw bad("it is only " + bytes.length + " bytes");
        long stored = 0;
        for (int i = 7; i >= 0; i--) stored = stored << 8 | (bytes[bytes.length - 8 + i] & 0xff);
        long computed = Crc64.update(0, bytes, 0, bytes.length - 8);
        if (stored != computed) throw bad(String.format("its CRC64 is %016x, its content's %016x", stored, computed));
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, bytes.length - 8);
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) throw bad("it does not start with FERRYSEG");
        int version = b.get();
        if (version != VERSION) throw bad("its format version is " + version + ", this Ferry reads " + VERSION);
        int flags = b.get();
        byte[] id = new byte[REPLID_LENGTH];
        b.get(id);
        long start = b.getLong(), end = b.getLong();
        int n = b.getInt();
        if (n < 0 || n > MAX_INDEX || (long) n * 16 > b.remaining()) throw bad("its index claims " + n + " pairs");
        long[] offsets = new long[n], millis = new long[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = b.getLong();
            millis[i] = b.getLong();
        }
        if (b.remaining() < 4) throw bad("it ends before its payload");
        int packedLength = b.getInt();
        if (packedLength != b.remaining()) throw bad("its payload claims " + packedLength + " bytes, " + b.remaining() + " follow");
        long length = end - start;
        if (length < 0 || length > Integer.MAX_VALUE - 8) throw bad("it claims the offsets " + start + " to " + end);
        byte[] packed = new byte[packedLength];
        b.get(packed);
        byte[] payload = (flags & DEFLATED) != 0 ? inflate(packed, (int) length) : packed;
        if (payload.length != length) throw bad("it holds " + payload.length + " bytes of stream for the offsets " + start + " to " + end);
        return new StreamSegment(new String(id, StandardCharsets.US_ASCII), start, end, offsets, millis, payload);
    }

    /** The last indexed time at or before offset, or -1 when the index has none. */
    long millisAt(long offset) {
        long t = -1;
        for (int i = 0; i < indexOffsets.length && indexOffsets[i] <= offset; i++) t = indexMillis[i];
        return t;
    }

    private static IOException bad(String why) {
        return new IOException("not a valid stream segment: " + why);
    }

    private static byte[] deflate(byte[] in) {
        Deflater d = new Deflater(Deflater.BEST_SPEED);
        try {
            d.setInput(in);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, in.length / 4));
            byte[] buf = new byte[64 * 1024];
            while (!d.finished()) out.write(buf, 0, d.deflate(buf));
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    private static byte[] inflate(byte[] in, int length) throws IOException {
        Inflater inf = new Inflater();
        try {
            inf.setInput(in);
            byte[] out = new byte[length];
            int n = 0;
            while (!inf.finished()) {
                // once out is full, one more byte would mean the payload holds more than the offsets say
                int k = n < length ? inf.inflate(out, n, length - n) : inf.inflate(new byte[1]);
                if (n >= length && k > 0) throw bad("its payload inflates to more than " + length + " bytes");
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                n += k;
            }
            if (n != length || !inf.finished()) throw bad("its payload inflates to more or less than " + length + " bytes");
            return out;
        } catch (DataFormatException e) {
            throw bad("its payload does not inflate: " + e.getMessage());
        } finally {
            inf.end();
        }
    }
}
