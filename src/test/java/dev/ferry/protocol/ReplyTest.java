package dev.ferry.protocol;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Reply's bulk writer, whose short-value path checks capacity once for the whole frame. */
class ReplyTest {

    /**
     * Every length around the short path's bounds (one and two header digits, the in-place copy up to 16 bytes,
     * the general path from 100), written at every offset that puts the frame's end around the buffer's
     * capacity, so that each byte of the frame is once the one that needs the buffer to grow.
     */
    @Test
    void bulkFramesAreExactWhereverTheBufferEnds() {
        for (int len = 0; len <= 130; len++) {
            byte[] value = new byte[len + 6];
            for (int i = 0; i < value.length; i++) value[i] = (byte) ('a' + i % 26);
            for (int slack = 0; slack <= len + 10; slack++) {
                Reply r = new Reply();
                int fill = r.capacity() - slack;
                // a simple string of exactly fill bytes ("+", the text, CRLF) puts the frame's start there
                if (fill >= 3) r.simple("x".repeat(fill - 3));
                else if (fill != 0) continue;
                byte[] prefix = r.toByteArray();
                r.bulk(value, 3, len);
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                expected.writeBytes(prefix);
                expected.writeBytes(("$" + len + "\r\n").getBytes(StandardCharsets.US_ASCII));
                expected.write(value, 3, len);
                expected.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                assertArrayEquals(expected.toByteArray(), r.toByteArray(), "len " + len + ", slack " + slack);
            }
        }
    }
}
