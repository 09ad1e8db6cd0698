package dev.ferry.rdb;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.DataFormatException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** LZF round trips over many shapes of input, and corrupt streams refused inside their bounds. */
class LzfTest {
    private final Lzf lzf = new Lzf();

    @Test
    void roundTrips() throws Exception {
        Random rnd = new Random(3);
        roundTrip(new byte[0]);
        roundTrip(new byte[] {7});
        roundTrip(new byte[] {1, 2});
        roundTrip(new byte[] {1, 1, 1});
        for (int len : new int[] {3, 4, 5, 20, 21, 31, 32, 33, 64, 100, 263, 264, 265, 1000, 8192, 8193, 70_000, 3_000_000}) {
            byte[] random = new byte[len];
            rnd.nextBytes(random);
            roundTrip(random);
            byte[] zeros = new byte[len];
            roundTrip(zeros);
            byte[] text = new byte[len];
            for (int i = 0; i < len; i++) text[i] = (byte) "abcabd hello world, hello rdb ".charAt(rnd.nextInt(4) == 0 ? rnd.nextInt(30) : i % 30);
            roundTrip(text);
            byte[] cycle = new byte[len];
            for (int i = 0; i < len; i++) cycle[i] = (byte) (i % 251);
            roundTrip(cycle);
        }
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[rnd.nextInt(600)];
            int alphabet = 1 + rnd.nextInt(6);
            for (int k = 0; k < b.length; k++) b[k] = (byte) rnd.nextInt(alphabet);
            roundTrip(b);
        }
    }

    /**
     * Incompressible stretches make the compressor step over bytes between lookups; the stretches must still come
     * out whole, the step must start again at the next match, and text after random bytes must still compress.
     */
    @Test
    void randomStretchesBetweenTextRoundTripAndTheTextStillCompresses() throws Exception {
        Random rnd = new Random(6);
        StringBuilder commands = new StringBuilder();
        for (int i = 0; i < 400; i++) commands.append(String.format("*3\r\n$3\r\nSET\r\n$10\r\nkey:%06d\r\n$5\r\nhello\r\n", rnd.nextInt(1_000_000)));
        byte[] text = commands.toString().getBytes(StandardCharsets.US_ASCII);
        for (int stretch : new int[] {10, 127, 128, 129, 500, 5_000, 100_000}) {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 3; i++) {
                byte[] random = new byte[stretch + rnd.nextInt(40)];
                rnd.nextBytes(random);
                b.write(random, 0, random.length);
                b.write(text, 0, text.length);
            }
            byte[] in = b.toByteArray();
            roundTrip(in);
            byte[] out = new byte[in.length];
            int n = lzf.compress(in, 0, in.length, out, 0, in.length - 1);
            long randomBytes = in.length - 3L * text.length;
            assertTrue(n > 0 && n < randomBytes + randomBytes / 16 + 3L * text.length / 4,
                "the text compresses after " + stretch + " random bytes: " + n + " of " + in.length);
        }
    }

    @Test
    void compressibleDataShrinksAndIncompressibleDoesNotFitTheBudget() {
        byte[] zeros = new byte[10_000];
        byte[] out = new byte[zeros.length];
        int n = lzf.compress(zeros, 0, zeros.length, out, 0, zeros.length - 4);
        assertTrue(n > 0 && n < 200, "10000 zeros compress to " + n);
        byte[] random = new byte[10_000];
        new Random(4).nextBytes(random);
        assertEquals(0, lzf.compress(random, 0, random.length, out, 0, random.length - 4));
    }

    @Test
    void everyOutputBudgetIsRespected() throws Exception {
        Random rnd = new Random(5);
        byte[] in = new byte[400];
        for (int i = 0; i < in.length; i++) in[i] = (byte) rnd.nextInt(3);
        for (int max = 0; max < 500; max++) {
            byte[] out = new byte[max + 16];
            Arrays.fill(out, (byte) 0x5A);
            int n = lzf.compress(in, 0, in.length, out, 8, max);
            for (int i = 0; i < 8; i++) assertEquals(0x5A, out[i] & 0xFF, "byte before the output touched, max " + max);
            for (int i = 8 + max; i < out.length; i++) assertEquals(0x5A, out[i] & 0xFF, "byte past the budget written, max " + max);
            if (n > 0) {
                assertTrue(n <= max);
                byte[] back = new byte[in.length];
                Lzf.decompress(out, 8, n, back, 0, in.length);
                assertArrayEquals(in, back);
            }
        }
    }

    @Test
    void corruptStreamsAreRefusedWithinBounds() throws Exception {
        // a back-reference before the start of the output
        assertThrows(DataFormatException.class, () -> Lzf.decompress(new byte[] {0x20, 0x00}, 3));
        // a literal run longer than the input
        assertThrows(DataFormatException.class, () -> Lzf.decompress(new byte[] {0x05, 1, 2}, 6));
        // a literal run longer than the declared output
        assertThrows(DataFormatException.class, () -> Lzf.decompress(new byte[] {0x03, 1, 2, 3, 4}, 3));
        // fewer bytes than declared
        assertThrows(DataFormatException.class, () -> Lzf.decompress(new byte[] {0x01, 1, 2}, 3));
        // a back-reference whose length byte or offset byte is missing
        assertThrows(DataFormatException.class, () -> Lzf.decompress(new byte[] {0x00, 1, (byte) 0xE0}, 20));
        assertThrows(DataFormatException.class, () -> Lzf.decompress(new byte[] {0x00, 1, 0x20}, 4));
        // a declared length no compressed stream of this size can give: refused before allocating
        assertThrows(DataFormatException.class, () -> Lzf.decompress(new byte[] {0x00, 1}, Integer.MAX_VALUE));
        // random garbage and mutated valid streams: DataFormatException or a result, never anything else
        Random rnd = new Random(6);
        byte[] text = new byte[5000];
        for (int i = 0; i < text.length; i++) text[i] = (byte) "the quick brown fox ".charAt((i * 7 + rnd.nextInt(3)) % 20);
        byte[] out = new byte[text.length];
        int n = lzf.compress(text, 0, text.length, out, 0, text.length);
        assertTrue(n > 0);
        byte[] good = Arrays.copyOf(out, n);
        for (int i = 0; i < 20_000; i++) {
            byte[] bad = good.clone();
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) bad[rnd.nextInt(bad.length)] ^= (byte) (1 << rnd.nextInt(8));
            int cut = rnd.nextInt(4) == 0 ? rnd.nextInt(bad.length + 1) : bad.length;
            byte[] dest = new byte[text.length + 2];
            dest[0] = 0x11;
            dest[dest.length - 1] = 0x22;
            try {
                Lzf.decompress(bad, 0, cut, dest, 1, text.length);
            } catch (DataFormatException expected) {
                // refused
            } catch (RuntimeException e) {
                fail("mutation " + i + " threw " + e);
            }
            assertEquals(0x11, dest[0]);
            assertEquals(0x22, dest[dest.length - 1]);
        }
    }

    private void roundTrip(byte[] in) throws DataFormatException {
        byte[] out = new byte[in.length + in.length / 16 + 64];
        int n = lzf.compress(in, 0, in.length, out, 0, out.length);
        if (in.length == 0) {
            assertEquals(0, n);
            return;
        }
        assertTrue(n > 0, "compressed within len + len/16 + 64 bytes: " + in.length);
        byte[] back = new byte[in.length];
        Lzf.decompress(out, 0, n, back, 0, in.length);
        assertArrayEquals(in, back, "round trip of " + in.length + " bytes");
    }
}
