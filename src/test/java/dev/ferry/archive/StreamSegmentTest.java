package dev.ferry.archive;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamSegmentTest {
    private static final String REPLID = "8f4c1a0000000000000000000000000000000abc";

    private static StreamSegment segment(long start, byte[] payload) {
        return new StreamSegment(REPLID, start, start + payload.length, new long[] {start + 10, start + payload.length},
            new long[] {1_700_000_000_000L, 1_700_000_001_000L}, payload);
    }

    @Test
    void whatIsEncodedDecodesToTheSame() throws IOException {
        byte[] payload = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        StreamSegment s = segment(1_000_000, payload);
        byte[] stored = s.encode();
        assertTrue(stored.length < payload.length / 10, "a repetitive stream compresses: " + stored.length);
        StreamSegment back = StreamSegment.decode(stored);
        assertEquals(REPLID, back.replId());
        assertEquals(1_000_000, back.start());
        assertEquals(1_000_000 + payload.length, back.end());
        assertArrayEquals(payload, back.payload());
        assertArrayEquals(s.indexOffsets(), back.indexOffsets());
        assertArrayEquals(s.indexMillis(), back.indexMillis());
        assertEquals(1_700_000_000_000L, back.millisAt(1_000_500));
        assertEquals(-1, back.millisAt(1_000_005));
        assertEquals("stream/" + REPLID + "/00000000000001000000.seg", back.key());
    }

    @Test
    void anEmptySegmentAndIncompressibleBytesRoundTrip() throws IOException {
        assertArrayEquals(new byte[0], StreamSegment.decode(segment(5, new byte[0]).encode()).payload());
        byte[] random = new byte[100_000];
        new SplittableRandom(3).nextBytes(random);
        assertArrayEquals(random, StreamSegment.decode(segment(5, random).encode()).payload());
    }

    /**
     * A payload in pieces (the spool's chunks, cut anywhere, some of a byte or two) is stored as one stream:
     * compressed piece by piece when that makes it smaller, raw when it does not, and it decodes to the pieces end to
     * end either way.
     */
    @Test
    void aPayloadInPiecesDecodesToThePiecesEndToEnd() throws IOException {
        SplittableRandom rnd = new SplittableRandom(11);
        byte[] text = "*3\r\n$3\r\nSET\r\n$8\r\nkey:0042\r\n$5\r\nhello\r\n".repeat(5000).getBytes(StandardCharsets.US_ASCII);
        byte[] random = new byte[50_000];
        rnd.nextBytes(random);
        for (byte[][] arrays : new byte[][][] {{text, text, text}, {text, random, text}, {random, random, random}}) {
            int[] offsets = new int[arrays.length], lengths = new int[arrays.length];
            java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < arrays.length; i++) {
                offsets[i] = rnd.nextInt(1000);
                lengths[i] = arrays[i] == random ? 40_000 : i == 1 ? 1 + rnd.nextInt(2) : rnd.nextInt(40_000, arrays[i].length - offsets[i]);
                whole.write(arrays[i], offsets[i], lengths[i]);
            }
            StreamSegment.Payload payload = new StreamSegment.Payload(arrays, offsets, lengths);
            byte[] stored = StreamSegment.encode(REPLID, 300, new long[] {300 + whole.size()}, new long[] {1_700_000_000_000L}, payload,
                new dev.ferry.rdb.Lzf(), new byte[whole.size()]);
            assertEquals(arrays[0] == random, stored.length > whole.size(), "compressed unless all is random: " + stored.length);
            StreamSegment back = StreamSegment.decode(stored);
            assertArrayEquals(whole.toByteArray(), back.payload());
            assertEquals(300 + whole.size(), back.end());
        }
    }

    @Test
    void anyChangedByteOrACutIsRefused() {
        byte[] stored = segment(77, "*1\r\n$4\r\nPING\r\n".repeat(50).getBytes(StandardCharsets.US_ASCII)).encode();
        for (int i = 0; i < stored.length; i += 7) {
            byte[] bad = stored.clone();
            bad[i] ^= 0x20;
            IOException e = assertThrows(IOException.class, () -> StreamSegment.decode(bad), "byte " + i);
            assertTrue(e.getMessage().startsWith("not a valid stream segment"), e.getMessage());
        }
        for (int cut : new int[] {0, 10, stored.length / 2, stored.length - 1}) {
            byte[] shorter = java.util.Arrays.copyOf(stored, cut);
            assertThrows(IOException.class, () -> StreamSegment.decode(shorter), "cut at " + cut);
        }
    }
}
