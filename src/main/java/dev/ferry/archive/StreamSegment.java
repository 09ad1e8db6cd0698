package dev.ferry.archive;

import dev.ferry.rdb.Crc64;
import dev.ferry.rdb.Lzf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;

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
 * <p>Layout: "FERRYSEG", version (1 byte), flags (1 byte, bit 0: LZF-compressed, as RDB compresses strings: fast
 * enough to keep up with a write-heavy stream on a worker without taking the executing loop's core), replid (40 ASCII), start, end
 * (8 bytes each, big-endian), index count (4 bytes) and pairs (8 + 8 bytes each), payload length (4 bytes) and
 * payload, then the CRC64 (Jones, as RDB's) of everything before it (8 bytes, little-endian).
 */
record StreamSegment(String replId, long start, long end, long[] indexOffsets, long[] indexMillis, byte[] payload) {
    private static final byte[] MAGIC = "FERRYSEG".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int LZF = 1;
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

    /** The stored form, its payload LZF-compressed when that makes it smaller. */
    byte[] encode() {
        return encode(replId, start, indexOffsets, indexMillis, Payload.of(payload, payload.length), new Lzf(), new byte[payload.length]);
    }

    /**
     * The bytes of a segment as pieces of arrays, in order: a writer hands its spool's chunks as they are, and the
     * worker that encodes them copies nothing.
     */
    record Payload(byte[][] arrays, int[] offsets, int[] lengths) {
        static Payload of(byte[] bytes, int length) {
            return new Payload(new byte[][] {bytes}, new int[] {0}, new int[] {length});
        }

        int length() {
            int n = 0;
            for (int l : lengths) n += l;
            return n;
        }
    }

    /**
     * The stored form of payload, the stream after offset start: a writer that makes a segment every second passes its
     * own compressor and scratch (at least as long as the payload), and allocates only the result. Each piece is
     * compressed on its own: LZF streams laid end to end decompress to their inputs end to end (a back-reference
     * never reaches before its own stream), so the stored form is one LZF stream, and a piece boundary costs only
     * the matches across it.
     */
    static byte[] encode(String replId, long start, long[] indexOffsets, long[] indexMillis, Payload payload, Lzf lzf, byte[] scratch) {
        int length = payload.length();
        int n = length < 2 ? 0 : compress(payload, lzf, scratch, length - 1);
        int flags = n > 0 ? LZF : 0;
        int packedLength = n > 0 ? n : length;
        long end = start + length;
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + REPLID_LENGTH + 16 + 4 + indexOffsets.length * 16 + 4 + packedLength + 8);
        b.put(MAGIC).put((byte) VERSION).put((byte) flags).put(replId.getBytes(StandardCharsets.US_ASCII));
        b.putLong(start).putLong(end).putInt(indexOffsets.length);
        for (int i = 0; i < indexOffsets.length; i++) b.putLong(indexOffsets[i]).putLong(indexMillis[i]);
        b.putInt(packedLength);
        if (n > 0) {
            b.put(scratch, 0, n);
        } else {
            for (int i = 0; i < payload.arrays().length; i++) b.put(payload.arrays()[i], payload.offsets()[i], payload.lengths()[i]);
        }
        long crc = Crc64.update(0, b.array(), 0, b.position());
        for (int i = 0; i < 8; i++) b.put((byte) (crc >>> (8 * i)));
        return b.array();
    }

    /** The pieces compressed one after the other into out, within max bytes; 0 when they do not fit (stored raw then). */
    private static int compress(Payload payload, Lzf lzf, byte[] out, int max) {
        int op = 0;
        for (int i = 0; i < payload.arrays().length; i++) {
            int len = payload.lengths()[i];
            if (len == 0) continue;
            int k = lzf.compress(payload.arrays()[i], payload.offsets()[i], len, out, op, max - op);
            if (k == 0) return 0;
            op += k;
        }
        return op;
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
        byte[] payload;
        if ((flags & LZF) != 0) {
            try {
                payload = Lzf.decompress(packed, (int) length);
            } catch (DataFormatException e) {
                throw bad("its payload does not decompress: " + e.getMessage());
            }
        } else {
            payload = packed;
        }
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
}
