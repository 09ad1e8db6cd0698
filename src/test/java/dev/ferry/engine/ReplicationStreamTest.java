package dev.ferry.engine;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the stream holds for a command, whatever its size, and what it costs in memory for a large one. */
class ReplicationStreamTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A capture of every byte the stream emits, through all three kinds of listeners. */
    private static final class Capture {
        final ByteArrayOutputStream consumed = new ByteArrayOutputStream();
        final ByteArrayOutputStream sliced = new ByteArrayOutputStream();
        final ByteArrayOutputStream tapped = new ByteArrayOutputStream();
        long lastOffset;

        Capture(ReplicationStream s) {
            s.addConsumer((resp, offsetAfter) -> {
                consumed.writeBytes(resp);
                lastOffset = offsetAfter;
            });
            s.sliceConsumer((resp, off, len) -> sliced.write(resp, off, len));
            s.tap((resp, off, len) -> tapped.write(resp, off, len), () -> { });
        }

        void assertAll(byte[] want) {
            assertArrayEquals(want, consumed.toByteArray());
            assertArrayEquals(want, sliced.toByteArray());
            assertArrayEquals(want, tapped.toByteArray());
        }
    }

    @Test
    void aLargeCommandIsEncodedAsASmallOneAndTheScratchStaysBounded() throws Exception {
        ReplicationStream s = new ReplicationStream(1 << 20);
        Capture c = new Capture(s);
        byte[] big = new byte[3 * ReplicationStream.SCRATCH_MAX + 7];
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
        byte[][] argv = {b("SET"), b("k"), big};
        s.propagate(0, argv);
        byte[] select = ReplicationStream.encode(new byte[][] {b("SELECT"), b("0")});
        byte[] set = ReplicationStream.encode(argv);
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.writeBytes(select);
        want.writeBytes(set);
        c.assertAll(want.toByteArray());
        assertEquals(select.length + set.length, s.offset());
        assertEquals(s.offset(), c.lastOffset);
        java.lang.reflect.Field scratch = ReplicationStream.class.getDeclaredField("scratch");
        scratch.setAccessible(true);
        assertTrue(((byte[]) scratch.get(s)).length <= ReplicationStream.SCRATCH_MAX,
            "the scratch array grew to " + ((byte[]) scratch.get(s)).length + " bytes");
        // the backlog holds the stream's tail
        byte[] tail = s.backlog().copyFrom(s.offset() - 99);
        assertArrayEquals(Arrays.copyOfRange(set, set.length - 100, set.length), tail);
    }

    @Test
    void consumersOwnWhatTheyGetEvenWhenTheValueChangesLater() {
        ReplicationStream s = new ReplicationStream(1 << 20);
        // a replica's output queue keeps the arrays it is given, to write them later
        java.util.List<byte[]> kept = new java.util.ArrayList<>();
        s.addConsumer((resp, offsetAfter) -> kept.add(resp));
        byte[] big = new byte[ReplicationStream.SCRATCH_MAX + 1];
        Arrays.fill(big, (byte) 'a');
        byte[][] argv = {b("SET"), b("k"), big};
        byte[] want = ReplicationStream.encode(argv);
        s.propagate(0, argv);
        Arrays.fill(big, (byte) 'b'); // APPEND or SETRANGE changing the adopted array in place
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        kept.forEach(out::writeBytes);
        byte[] got = out.toByteArray();
        assertArrayEquals(want, Arrays.copyOfRange(got, got.length - want.length, got.length));
    }
}
