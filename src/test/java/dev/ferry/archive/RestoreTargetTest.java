package dev.ferry.archive;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Where a restore stops within a segment, by offset and by the segment's time marks. */
class RestoreTargetTest {
    private static final String X = "a".repeat(40);

    private static StreamSegment seg(long start, long end, long[] offs, long[] millis) {
        return new StreamSegment(X, start, end, offs, millis, new byte[(int) (end - start)]);
    }

    @Test
    void byTimeTheLastMarkAtOrBeforeIt() {
        StreamSegment s = seg(100, 200, new long[] {150, 200}, new long[] {1_000, 2_000});
        assertEquals(100, RestoreTarget.parse(Instant.ofEpochMilli(999).toString()).stopIn(s));
        assertEquals(150, RestoreTarget.parse(Instant.ofEpochMilli(1_000).toString()).stopIn(s));
        assertEquals(150, RestoreTarget.parse(Instant.ofEpochMilli(1_999).toString()).stopIn(s));
        assertEquals(200, RestoreTarget.parse(Instant.ofEpochMilli(2_000).toString()).stopIn(s));
        // bytes after the last mark, or in a segment without one, have no known time: not taken
        assertEquals(150, RestoreTarget.parse(Instant.ofEpochMilli(5_000).toString()).stopIn(seg(100, 200, new long[] {150}, new long[] {1_000})));
        assertEquals(100, RestoreTarget.parse(Instant.ofEpochMilli(5_000).toString()).stopIn(seg(100, 200, new long[0], new long[0])));
    }

    @Test
    void byOffsetWithinTheSegment() {
        StreamSegment s = seg(100, 200, new long[0], new long[0]);
        assertEquals(100, RestoreTarget.parse(X + ":50").stopIn(s));
        assertEquals(170, RestoreTarget.parse(X + ":170").stopIn(s));
        assertEquals(200, RestoreTarget.parse(X + ":900").stopIn(s));
        assertThrows(IllegalArgumentException.class, () -> RestoreTarget.parse("yesterday"));
    }
}
